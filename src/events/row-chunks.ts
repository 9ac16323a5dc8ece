import type { Queries } from '../db/port.js';

/**
 * Reading a task's million rows without stalling the service: better-sqlite3 is synchronous, so one statement
 * over a million rows holds the event loop for a second. Such reads go a bounded id range at a time instead
 * (CHUNK_ROWS of the task's rows per statement, ~8 ms on SQLite), handing the loop back between statements.
 */
export const CHUNK_ROWS = 10_000;

/**
 * How long after its closeTime / changeTime a row may still be committed by another node (PostgreSQL: a
 * transaction that stamped the time, then committed later; clocks of nodes a little apart). Only rows older
 * than this are folded into a cache; newer ones are counted afresh on every read.
 */
export const SETTLE_LAG_SEC = 60;

/** Back to the event loop (timers, I/O, other requests) before the next statement. */
export const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export type RowTable = 'task_results' | 'polling_results';

// task_results: index task_results_task_row (taskId, id); polling_results: polling_results_task (taskId), which
// on SQLite ends in the rowid, so both ranges are index walks. One statement text per table and direction.
const CHUNK_END = (t: RowTable) => `SELECT id FROM ${t} WHERE taskId = ? AND id > ? ORDER BY id LIMIT 1 OFFSET ${CHUNK_ROWS - 1}`;
const CHUNK_START = (t: RowTable) => `SELECT id FROM ${t} WHERE taskId = ? AND id < ? ORDER BY id DESC LIMIT 1 OFFSET ${CHUNK_ROWS - 1}`;
const LAST_ID = (t: RowTable) => `SELECT id FROM ${t} WHERE taskId = ? ORDER BY id DESC LIMIT 1`;

/** The task's newest row id, 0 when it has none. */
export async function lastRowId(db: Queries, table: RowTable, taskId: number): Promise<number> {
  return Number((await db.value<number>(LAST_ID(table), [taskId])) ?? 0);
}

/**
 * Id ranges (lo, hi] of at most CHUNK_ROWS rows of the task, from `after` up to `last`, in id order. The loop is
 * handed back between ranges; the caller's statement for a range runs before the next one is asked for.
 */
export async function* chunksUp(db: Queries, table: RowTable, taskId: number, after: number, last: number): AsyncGenerator<[number, number]> {
  for (let lo = after; lo < last; ) {
    const end = await db.value<number>(CHUNK_END(table), [taskId, lo]);
    const hi = end == null ? last : Math.min(Number(end), last);
    yield [lo, hi];
    lo = hi;
    if (lo < last) await yieldToLoop();
  }
}

/** Id ranges [lo, hi) of at most CHUNK_ROWS rows of the task, from just below `before` down to the first row. */
export async function* chunksDown(db: Queries, table: RowTable, taskId: number, before: number): AsyncGenerator<[number, number]> {
  for (let hi = before; hi > 0; ) {
    const start = await db.value<number>(CHUNK_START(table), [taskId, hi]);
    const lo = start == null ? 0 : Number(start);
    yield [lo, hi];
    hi = lo;
    if (hi > 0) await yieldToLoop();
  }
}

const RECENT_TAIL = 5000;
const SETTLED_IN_TAIL = (t: RowTable) =>
  `SELECT MAX(id) FROM (SELECT id, changeTime FROM ${t} WHERE taskId = ? AND id > ? ORDER BY id DESC LIMIT ${RECENT_TAIL}) tail WHERE changeTime < ?`;

/**
 * The largest row id of the task below which no row can still appear, at least `floor`: rows are only ever
 * added with new ids, so a count of the rows up to it stays right until rows are deleted.
 * - SQLite: every row there is is committed (one process owns the file, and the port lets no read in while a
 *   transaction is open), so the newest id.
 * - PostgreSQL: ids are drawn before commit, so a transaction still open may commit a smaller id later. A row
 *   whose changeTime (stamped at insert, only ever moved forward) is SETTLE_LAG_SEC old was inserted that long
 *   ago, and so was every smaller id: the newest such row among the task's latest RECENT_TAIL rows.
 */
export async function settledRowId(db: Queries, table: RowTable, taskId: number, floor: number, now: number): Promise<number> {
  if (db.dialect === 'sqlite') return Math.max(floor, await lastRowId(db, table, taskId));
  const id = await db.value<number>(SETTLED_IN_TAIL(table), [taskId, floor, now - SETTLE_LAG_SEC]);
  return Math.max(floor, Number(id ?? 0));
}
