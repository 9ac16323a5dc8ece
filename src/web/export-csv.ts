import type { ExportCell } from './export-rows.js';

/** UTF-8 BOM: without it Excel reads a UTF-8 CSV as the local code page and Cyrillic comes out garbled. */
const BOM = '\uFEFF';

/** RFC 4180: a cell holding the delimiter, a quote, a line break or edge spaces is quoted, its quotes doubled. */
function csvCell(v: ExportCell): string {
  // A text cell Excel would take for a formula (=, +, -, @, tab, CR first: a CRM's clientId, a question id, what
  // speech recognition heard) gets a leading ' so it stays text: opening an export must never run anything.
  const s = typeof v === 'number' ? String(v) : /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const csvLine = (cells: readonly ExportCell[]) => `${cells.map(csvCell).join(',')}\r\n`;

/** The export as CSV (comma-separated, CRLF, BOM first): one Buffer per page of rows, as the pages come. */
export async function* csvChunks(header: readonly string[], pages: AsyncIterable<ExportCell[][]>): AsyncGenerator<Uint8Array> {
  yield Buffer.from(BOM + csvLine(header));
  for await (const page of pages) {
    let text = '';
    for (const row of page) text += csvLine(row);
    yield Buffer.from(text);
  }
}
