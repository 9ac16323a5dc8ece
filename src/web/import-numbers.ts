import type { ServiceCtx } from '../services/context.js';
import type { CellValue } from '../services/xls/worker.js';
import { taskById } from '../services/tasks/store.js';
import type { ParsedNumber } from '../services/tasks/numbers.js';
import type { ImportOutcome } from './api-types.js';
import { csvRecords, CsvTooLong, NotUtf8, type CsvEncoding } from './import-csv.js';
import { ImportRefused, itemReader, parseItem, type SourceRow } from './import-rows.js';
import { addChunk, noKnownNumbers, TaskGone } from './import-store.js';

/** Where the numbers come from: a CSV file on disk (read twice, streamed), or a spreadsheet's rows already read. */
export type ImportSource = { kind: 'csv'; path: string } | { kind: 'sheet'; rows: CellValue[][] };

export type ImportAnswer =
  | { ok: true; outcome: ImportOutcome }
  | { ok: false; status: 400 | 404; error: string; errors?: string[] };

const MAX_LISTED_ERRORS = 20;
/** Numbers a transaction adds: short transactions, so the dialer keeps recording calls during a big import. */
const ROWS_PER_TX = 5000;
/** Rows that may share one changeTime: merge.ts's rule, so GET /results (10 000 rows a call) can page past them. */
const STAMP_GROUP = 1000;

/**
 * Numbers of a file added to a task as POST /task adds them (import-rows.ts, import-store.ts). A file with a bad
 * row imports nothing, as the do-not-call import: the file is read twice, first every row checked (nothing held
 * but the first 20 errors), then, only if all are right, stored ROWS_PER_TX numbers per transaction. A number
 * already in the task, or earlier in the file, is counted in `duplicates` and not added again. A crash in the
 * second pass leaves part of the file imported; importing it again adds the rest (the others are duplicates then).
 * A closed or paused task takes the numbers as POST /task without `state` does: its state is not changed, so they
 * wait until it is resumed.
 */
export async function importNumbers(ctx: ServiceCtx, taskId: number, source: ImportSource): Promise<ImportAnswer> {
  if (!(await taskById(ctx.db, taskId))) return { ok: false, status: 404, error: `Task ${taskId} not found` };
  try {
    const { encoding, rows, badRows, errors } = await checkFile(ctx, source);
    if (badRows) {
      const more = badRows > errors.length ? [`... and ${badRows - errors.length} more bad rows`] : [];
      return { ok: false, status: 400, error: `Nothing imported: ${badRows} of ${rows + badRows} rows are not valid numbers`, errors: [...errors, ...more] };
    }
    if (rows === 0) return { ok: false, status: 400, error: 'Nothing imported: the file has no numbers' };
    const outcome = await storeFile(ctx, taskId, source, encoding);
    ctx.log.info({ taskId, rows, ...outcome }, 'numbers imported');
    return { ok: true, outcome: { ...outcome, errors: [] } };
  } catch (e) {
    if (e instanceof ImportRefused || e instanceof CsvTooLong) return { ok: false, status: 400, error: `Nothing imported: ${e.message}`, errors: [e.message] };
    if (e instanceof TaskGone) return { ok: false, status: 404, error: e.message };
    throw e;
  }
}

/** The file's rows, a batch at a time (a CSV's 64 KB reads; a spreadsheet's rows ROWS_PER_TX at a time). */
async function* sourceRows(source: ImportSource, encoding: CsvEncoding): AsyncGenerator<SourceRow[]> {
  if (source.kind === 'sheet') {
    for (let from = 0; from < source.rows.length; from += ROWS_PER_TX) {
      yield source.rows.slice(from, from + ROWS_PER_TX).map((cells, r) => ({ label: `Row ${from + r + 1}`, cells: (cells ?? []).map(cellText) }));
    }
    return;
  }
  for await (const batch of csvRecords(source.path, encoding)) yield batch.map((r) => ({ label: `Line ${r.line}`, cells: r.cells }));
}

/** Every row of the file that holds a number, parsed as POST /task parses its numbers (with its label). */
async function* parsedRows(ctx: ServiceCtx, source: ImportSource, encoding: CsvEncoding) {
  const read = itemReader();
  for await (const batch of sourceRows(source, encoding)) {
    for (const row of batch) {
      const item = read(row);
      if (item) yield { label: row.label, parsed: parseItem(row.label, item, ctx.config.timezone) };
    }
  }
}

/** A spreadsheet cell as the text a CSV would hold: whole numbers with every digit (a phone typed as a number). */
function cellText(v: CellValue): string {
  if (v === null) return '';
  if (typeof v === 'number') return Number.isInteger(v) && !Number.isSafeInteger(v) ? BigInt(v).toString() : String(v);
  return String(v).trim();
}

/** Pass 1: every row checked. A CSV that is not UTF-8 is read again as windows-1251 (Russian Excel's plain "CSV"). */
async function checkFile(ctx: ServiceCtx, source: ImportSource): Promise<{ encoding: CsvEncoding; rows: number; badRows: number; errors: string[] }> {
  for (const encoding of ['utf-8', 'windows-1251'] as const) {
    let rows = 0;
    let badRows = 0;
    const errors: string[] = [];
    try {
      for await (const { parsed } of parsedRows(ctx, source, encoding)) {
        if (parsed.ok) rows++;
        else {
          badRows++;
          for (const m of parsed.errors) if (errors.length < MAX_LISTED_ERRORS) errors.push(m);
        }
      }
    } catch (e) {
      if (e instanceof NotUtf8) continue;
      throw e;
    }
    return { encoding, rows, badRows, errors };
  }
  throw new Error('unreachable: windows-1251 decodes every byte');
}

/** Pass 2: the checked file stored, ROWS_PER_TX numbers a transaction. */
async function storeFile(ctx: ServiceCtx, taskId: number, source: ImportSource, encoding: CsvEncoding): Promise<{ added: number; duplicates: number }> {
  let added = 0;
  let duplicates = 0;
  let lastStamp = 0;
  let chunk = new Map<string, ParsedNumber>();
  const known = noKnownNumbers();
  const flush = async () => {
    const numbers = [...chunk.values()];
    chunk = new Map();
    // never earlier than what this import stamped before: a CRM paging GET /results by changeTime must not skip a chunk
    const now = Math.max(ctx.now(), lastStamp + 0.001);
    const stamp = (i: number) => now + Math.floor(i / STAMP_GROUP) / 1000;
    const n = await ctx.db.tx((q) => addChunk(q, taskId, numbers, known, stamp, now));
    if (n) lastStamp = stamp(n - 1);
    added += n;
    duplicates += numbers.length - n;
  };
  for await (const { label, parsed } of parsedRows(ctx, source, encoding)) {
    if (!parsed.ok) throw new ImportRefused(parsed.errors[0] ?? `${label}: the file changed while it was imported`);
    if (chunk.has(parsed.number.phoneId)) duplicates++; // twice in the file: the first one counts, as in POST /task
    else chunk.set(parsed.number.phoneId, parsed.number);
    if (chunk.size >= ROWS_PER_TX) await flush();
  }
  if (chunk.size) await flush();
  return { added, duplicates };
}
