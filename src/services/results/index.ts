import type Database from 'better-sqlite3';
import { RawJson } from '../../raw-json.js';
import { stmt, type ServiceCtx } from '../context.js';
import { jsonRow, POLLING_RESULT_FIELDS, RESULT_FIELDS } from './columns.js';

/** The CRM sync cap of the original: at most this many rows per call. */
export const SYNC_LIMIT = 10_000;

/**
 * Rows changed at or after `since` (float unix seconds), ordered by changeTime then id, capped.
 * The bound is inclusive like the original, so a client polling with the last changeTime it saw gets
 * that boundary row again rather than missing rows written in the same instant.
 */
export function resultsSince(ctx: ServiceCtx, since: number): RawJson {
  return jsonRows(ctx, 'resultsSince', `SELECT ${jsonRow(RESULT_FIELDS)} FROM task_results WHERE changeTime >= ? ORDER BY changeTime, id LIMIT ${SYNC_LIMIT}`, since);
}

export function pollingResultsSince(ctx: ServiceCtx, since: number): RawJson {
  return jsonRows(ctx, 'pollingResultsSince', `SELECT ${jsonRow(POLLING_RESULT_FIELDS)} FROM polling_results WHERE changeTime >= ? ORDER BY changeTime, id LIMIT ${SYNC_LIMIT}`, since);
}

/**
 * Rows rendered as JSON by SQLite, one string each, joined into an array: no per-row JS object is built.
 * The SQL (columns.ts jsonRow) already gives each field its answered type (database values as strings).
 */
export function jsonRows(ctx: ServiceCtx, key: string, sql: string, ...args: unknown[]): RawJson {
  const s = stmt(ctx.db, `json:${key}`, () => ctx.db.$client.prepare(sql).pluck() as Database.Statement<unknown[], string>);
  // iterated, not .all(): each row's text is encoded and dropped at once, never a 10 000-string array
  return RawJson.array(s.iterate(...args));
}
