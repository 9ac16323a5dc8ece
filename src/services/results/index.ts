import { stmt, type ServiceCtx } from '../context.js';
import { POLLING_RESULT_COLUMNS, RESULT_COLUMNS } from './columns.js';

/** The CRM sync cap of the original: at most this many rows per call. */
export const SYNC_LIMIT = 10_000;

/**
 * Rows changed at or after `since` (float unix seconds), ordered by changeTime then id, capped.
 * The bound is inclusive like the original, so a client polling with the last changeTime it saw gets
 * that boundary row again rather than missing rows written in the same instant.
 */
export function resultsSince(ctx: ServiceCtx, since: number): unknown[] {
  return stmt(ctx.db, 'resultsSince', () =>
    ctx.db.$client.prepare(
      `SELECT ${RESULT_COLUMNS} FROM task_results WHERE changeTime >= ? ORDER BY changeTime, id LIMIT ${SYNC_LIMIT}`,
    ),
  ).all(since);
}

export function pollingResultsSince(ctx: ServiceCtx, since: number): unknown[] {
  return stmt(ctx.db, 'pollingResultsSince', () =>
    ctx.db.$client.prepare(
      `SELECT ${POLLING_RESULT_COLUMNS} FROM polling_results WHERE changeTime >= ? ORDER BY changeTime, id LIMIT ${SYNC_LIMIT}`,
    ),
  ).all(since);
}
