import { normaliseNumber } from '../domain/phone.js';
import { newNumberListCheck, parsedNumbers, InvalidNumberList, type ParsedNumber } from '../services/tasks/numbers.js';

/** One row of an imported file, before it is a number: its cells as text and where it is ("Line 7", "Row 7"). */
export interface SourceRow {
  label: string;
  cells: string[];
}

/** A number of the file as POST /task takes one in `numbers`. */
export interface NumberItem {
  number: string;
  clientId?: string;
  params?: Record<string, string>;
}

/** A file whose header or layout cannot be read: nothing is imported, the message names the line. */
export class ImportRefused extends Error {}

/** Header names of the phone column (case-insensitive); the Russian ones are what an operator types in Excel. */
const PHONE_NAMES = new Set(['phone', 'number', 'телефон', 'номер']);
const CLIENT_ID_NAMES = new Set(['clientid', 'client_id']);

interface Layout {
  phone: number;
  clientId: number | null;
  /** Every other named column: the number's params, by header name. */
  params: Array<{ name: string; col: number }>;
}

/**
 * The header decides what the columns are: a first row naming `phone` (or `number`) is a header, the column named
 * `clientId` is the number's clientId and every other named column goes into its params. A first row whose first
 * cell is a phone number means no header: the phone is the first column, the rest is ignored.
 */
function layoutOf(first: SourceRow): { layout: Layout; isHeader: boolean } {
  const names = first.cells.map((c) => c.trim());
  const phone = names.findIndex((n) => PHONE_NAMES.has(n.toLowerCase()));
  if (phone < 0) {
    const firstCell = names[0] ?? '';
    if (!normaliseNumber(firstCell).ok && /\p{L}/u.test(names.join(''))) {
      throw new ImportRefused(`${first.label}: the header names no "phone" or "number" column (and "${firstCell.slice(0, 40)}" is not a phone number)`);
    }
    return { layout: { phone: 0, clientId: null, params: [] }, isHeader: false };
  }
  const clientIdAt = names.findIndex((n) => CLIENT_ID_NAMES.has(n.toLowerCase()));
  const params: Layout['params'] = [];
  const taken = new Set<string>();
  names.forEach((name, col) => {
    if (col === phone || col === clientIdAt || name === '' || taken.has(name)) return; // the first of two same-named columns wins
    taken.add(name);
    params.push({ name, col });
  });
  return { layout: { phone, clientId: clientIdAt >= 0 ? clientIdAt : null, params }, isHeader: true };
}

function itemOf(row: SourceRow, l: Layout): NumberItem {
  const item: NumberItem = { number: row.cells[l.phone] ?? '' };
  if (l.clientId !== null) item.clientId = row.cells[l.clientId] ?? '';
  if (l.params.length) item.params = Object.fromEntries(l.params.map((p) => [p.name, row.cells[p.col] ?? '']));
  return item;
}

/**
 * A file's rows as number items, one row at a time (a plain function, not a generator: 100 000 rows through a
 * chain of async generators cost more than parsing them): null for a blank row and for the header, which the
 * first non-blank row is or is not (layoutOf).
 */
export function itemReader(): (row: SourceRow) => NumberItem | null {
  let layout: Layout | undefined;
  return (row) => {
    if (row.cells.every((c) => c === '')) return null;
    if (!layout) {
      const first = layoutOf(row);
      layout = first.layout;
      if (first.isHeader) return null;
    }
    return itemOf(row, layout);
  };
}

/**
 * One item as POST /task would store it (numbers.ts parsedNumbers: the same normalisation, clientId and params
 * rules), or what is wrong with it, named by the row's label. Unlike POST /task, a row without a phone is an error:
 * in a file it is a mistake, not a gap in a list.
 */
export function parseItem(label: string, item: NumberItem, timeZone: string): { ok: true; number: ParsedNumber } | { ok: false; errors: string[] } {
  if (item.number.trim() === '') return { ok: false, errors: [`${label}: no phone number`] };
  const check = newNumberListCheck();
  try {
    for (const number of parsedNumbers([item], timeZone, check)) return { ok: true, number };
  } catch (e) {
    if (!(e instanceof InvalidNumberList)) throw e;
  }
  // parsedNumbers names the item by its index in a request ("(numbers[0])"); here the line names it
  return { ok: false, errors: check.errors.map((m) => `${label}: ${m.replace(' (numbers[0])', '')}`) };
}
