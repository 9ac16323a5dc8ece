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
  if (ctx.db.dialect === 'sqlite') return RawJson.array(await ctx.db.values<string>(`SELECT ${jsonRow(fields)} ${rest}`, args));
  const rows = await ctx.db.all(`SELECT ${pgRowColumns(fields)} ${rest}`, args);
  return RawJson.array(rows.map((r) => pgJsonRow(fields, r)));
}
