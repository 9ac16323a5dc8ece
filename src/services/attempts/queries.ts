import type { Db } from '../../db/client.js';
import type { taskResults, tasks } from '../../db/schema.js';
import { RowState } from '../../domain/result-codes.js';

export type TaskRow = typeof tasks.$inferSelect;
export type AttemptRow = typeof taskResults.$inferSelect;

/**
 * Read side of the dialer's storage: which tasks are open, which numbers are ready, what is in flight.
 * Hot paths use prepared better-sqlite3 statements (the scheduler runs them on every call start/end).
 */
function statements(db: Db) {
  const c = db.$client;
  return {
    openTasks: c.prepare(`SELECT * FROM tasks WHERE state = 0 ORDER BY id`),
    task: c.prepare(`SELECT * FROM tasks WHERE id = ?`),
    candidates: c.prepare(
      `SELECT * FROM task_results WHERE taskId = ? AND closeTime = 0 AND state = '${RowState.CREATE_TASK}'
         AND timeCallAllow <= ? ORDER BY id`,
    ),
    nextAllowed: c.prepare(
      `SELECT MIN(timeCallAllow) AS t FROM task_results WHERE taskId = ? AND closeTime = 0
         AND state = '${RowState.CREATE_TASK}' AND timeCallAllow > ?`,
    ),
    openCount: c.prepare(`SELECT COUNT(*) AS n FROM task_results WHERE taskId = ? AND closeTime = 0`),
    claimedOpen: c.prepare(
      `SELECT * FROM task_results WHERE closeTime = 0 AND state <> '${RowState.CREATE_TASK}' ORDER BY id`,
    ),
    row: c.prepare(`SELECT * FROM task_results WHERE id = ?`),
  };
}

const cache = new WeakMap<Db, ReturnType<typeof statements>>();
export function stmts(db: Db) {
  let s = cache.get(db);
  if (!s) cache.set(db, (s = statements(db)));
  return s;
}

export const openTasks = (db: Db) => stmts(db).openTasks.all() as TaskRow[];
export const getTask = (db: Db, id: number) => stmts(db).task.get(id) as TaskRow | undefined;
export const getAttempt = (db: Db, id: number) => stmts(db).row.get(id) as AttemptRow | undefined;

/** Ready rows of a task in insertion order, lazily (the caller stops at the first usable one). */
export function* readyAttempts(db: Db, taskId: number, nowSec: number): Generator<AttemptRow> {
  yield* stmts(db).candidates.iterate(taskId, nowSec) as IterableIterator<AttemptRow>;
}

/** Earliest timeCallAllow in the future (unix seconds), for a wake-up timer. */
export function nextAllowedAt(db: Db, taskId: number, nowSec: number): number | undefined {
  const r = stmts(db).nextAllowed.get(taskId, nowSec) as { t: number | null };
  return r.t ?? undefined;
}

export const openAttemptCount = (db: Db, taskId: number) => (stmts(db).openCount.get(taskId) as { n: number }).n;

/** Rows claimed for a call (CreateCallFile or later) and not closed: what was in flight when we stopped. */
export const claimedOpenAttempts = (db: Db) => stmts(db).claimedOpen.all() as AttemptRow[];
