import type { Queries } from '../../db/client.js';
import type { taskResults, tasks } from '../../db/schema.js';
import { RowState } from '../../domain/result-codes.js';

export type TaskRow = typeof tasks.$inferSelect;
export type AttemptRow = typeof taskResults.$inferSelect;

/**
 * Read side of the dialer's storage: which tasks are open, which numbers are ready, what is in flight.
 * "In flight" = claimed for a call (CreateCallFile or later) and not closed, on whichever node.
 */

export const openTasks = (db: Queries) => db.all<TaskRow>('SELECT * FROM tasks WHERE state = 0 ORDER BY id');
export const getTask = (db: Queries, id: number) => db.get<TaskRow>('SELECT * FROM tasks WHERE id = ?', [id]);
export const getAttempt = (db: Queries, id: number) => db.get<AttemptRow>('SELECT * FROM task_results WHERE id = ?', [id]);

/** Earliest timeCallAllow in the future (unix seconds), for a wake-up timer. */
export async function nextAllowedAt(db: Queries, taskId: number, nowSec: number): Promise<number | undefined> {
  const t = await db.value<number | null>(
    `SELECT MIN(timeCallAllow) FROM task_results WHERE taskId = ? AND closeTime = 0 AND state = '${RowState.CREATE_TASK}' AND timeCallAllow > ?`,
    [taskId, Math.floor(nowSec)],
  );
  return t ?? undefined;
}

export const openAttemptCount = async (db: Queries, taskId: number) =>
  (await db.value<number>('SELECT COUNT(*) FROM task_results WHERE taskId = ? AND closeTime = 0', [taskId])) ?? 0;

/** Rows claimed for a call and not closed, of one node (or of every node). */
export const claimedOpenAttempts = (db: Queries, node?: string) =>
  node === undefined
    ? db.all<AttemptRow>(`SELECT * FROM task_results WHERE closeTime = 0 AND state <> '${RowState.CREATE_TASK}' ORDER BY id`)
    : db.all<AttemptRow>(
        `SELECT * FROM task_results WHERE closeTime = 0 AND state <> '${RowState.CREATE_TASK}' AND (node = ? OR node IS NULL) ORDER BY id`,
        [node],
      );

/** A node's calls still marked up whose rows already have their result (after a restart: to be ended). */
export const lingeringCalls = (db: Queries, node: string) =>
  db.all<AttemptRow>('SELECT * FROM task_results WHERE inCall = 1 AND node = ? AND closeTime <> 0 ORDER BY id', [node]);
