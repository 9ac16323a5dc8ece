import type { Params } from '../../db/port.js';
import { RawJson } from '../../raw-json.js';
import type { ServiceCtx } from '../context.js';
import { jsonRow, pgJsonRow, pgRowColumns, POLLING_RESULT_FIELDS, RESULT_FIELDS, type Fields } from './columns.js';

/** The CRM sync cap of the original: at most this many rows per call. */
export const SYNC_LIMIT = 10_000;

/**
 * Rows changed at or after `since` (float unix seconds), ordered by changeTime then id, capped.
 * The bound is inclusive like the original, so a client polling with the last changeTime it saw gets
 * that boundary row again rather than missing rows written in the same instant.
 */
export function resultsSince(ctx: ServiceCtx, since: number): Promise<RawJson> {
  return jsonRows(ctx, RESULT_FIELDS, `FROM task_results WHERE changeTime >= ? ORDER BY changeTime, id LIMIT ${SYNC_LIMIT}`, [since]);
}

export function pollingResultsSince(ctx: ServiceCtx, since: number): Promise<RawJson> {
  return jsonRows(ctx, POLLING_RESULT_FIELDS, `FROM polling_results WHERE changeTime >= ? ORDER BY changeTime, id LIMIT ${SYNC_LIMIT}`, [since]);
}

/**
 * `SELECT <fields> <rest>` as a JSON array, each field in its answered type (columns.ts): on SQLite each row
 * is rendered by json_object, one string a row and no JS object; on PostgreSQL the fields come as the same
 * text and each row is stringified in JS, to the same bytes.
 */
export async function jsonRows(ctx: ServiceCtx, fields: Fields, rest: string, args: Params): Promise<RawJson> {
  return RawJson.array(await jsonPage(ctx, fields, rest, args));
}

/** One read's rows as JSON texts (see jsonRows). */
async function jsonPage(ctx: ServiceCtx, fields: Fields, rest: string, args: Params): Promise<string[]> {
  if (ctx.db.dialect === 'sqlite') return ctx.db.values<string>(`SELECT ${jsonRow(fields)} ${rest}`, args);
  const rows = await ctx.db.all(`SELECT ${pgRowColumns(fields)} ${rest}`, args);
  return rows.map((r) => pgJsonRow(fields, r));
}

const PAGE_ROWS = 2000;

/**
 * Every row of `table` matching `where` (its `?` bound to `args`), in id order, as a JSON array read 2 000 rows at
 * a time by id (GET /task/{id} of a 100 000-number task): the answer is encoded page by page, never held whole
 * as strings. The pages are separate reads, like the task and its polling answers already were.
 */
export function jsonRowsById(ctx: ServiceCtx, fields: Fields, table: string, where: string, args: Params): Promise<RawJson> {
  async function* pages() {
    let after = -1;
    for (;;) {
      const page = await ctx.db.values<number>(`SELECT id FROM ${table} WHERE ${where} AND id > ? ORDER BY id LIMIT ${PAGE_ROWS}`, [...args, after]);
      if (page.length === 0) return;
      yield await jsonPage(ctx, fields, `FROM ${table} WHERE ${where} AND id >= ? AND id <= ? ORDER BY id`, [...args, page[0]!, page[page.length - 1]!]);
      if (page.length < PAGE_ROWS) return;
      after = page[page.length - 1]!;
    }
  }
  return RawJson.arrayOfPages(pages());
}
