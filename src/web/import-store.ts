import type { Queries } from '../db/port.js';
import type { ParsedNumber } from '../services/tasks/numbers.js';
import { insertNumbers, TASK_ID, taskById, updateTask } from '../services/tasks/store.js';

/** The task was deleted while its numbers were being imported. */
export class TaskGone extends Error {}

/**
 * The numbers (phone ids) the task has, as far as this import has read its rows: every row up to `after` (an id),
 * and what the import added since. Each chunk reads only the rows added since the chunk before (its own and any
 * other writer's), by the task's id order: one indexed range read per chunk, the task's rows read once in all, as
 * POST /task's merge reads them once. (Looking each number up by phoneId instead costs a statement per few
 * hundred numbers, which PostgreSQL answered with a full scan each time: 90 s for 100 000 numbers.)
 */
export interface KnownNumbers {
  phoneIds: Set<string>;
  after: number;
}

export const noKnownNumbers = (): KnownNumbers => ({ phoneIds: new Set(), after: 0 });

/**
 * One transaction adding a chunk of a file's numbers to a task, as POST /task's merge adds new numbers
 * (tasks/merge.ts): a number (phoneId) the task already has is left as it is, the rest are inserted by the same
 * insertNumbers, open and waiting to be dialed, in file order. Unlike POST /task nothing is removed or updated: an
 * import adds to the list, it does not replace it. The task's row is written first (its changeTime), which on
 * PostgreSQL locks it until the commit, so a POST /task merging the same task waits for this chunk (and the other
 * way round) instead of both inserting one number. `numbers` have distinct phone ids. Answers how many were added.
 */
export async function addChunk(
  q: Queries,
  taskId: number,
  numbers: readonly ParsedNumber[],
  known: KnownNumbers,
  changeTimeOf: (i: number) => number,
  now: number,
): Promise<number> {
  await updateTask(q, taskId, {}, now);
  if (!(await taskById(q, taskId))) throw new TaskGone(`Task ${taskId} not found`);
  const rows = await q.all<{ id: number; phoneId: string }>(`SELECT id, phoneId FROM task_results WHERE taskId = ${TASK_ID} AND id > ? ORDER BY id`, [
    taskId,
    known.after,
  ]);
  for (const r of rows) known.phoneIds.add(r.phoneId);
  if (rows.length) known.after = Number(rows[rows.length - 1]!.id);
  const fresh = numbers.filter((n) => !known.phoneIds.has(n.phoneId));
  await insertNumbers(q, taskId, fresh.map((n, i) => ({ n, changeTime: changeTimeOf(i) })));
  return fresh.length;
}
