import type { Queries } from '../db/port.js';
import type { Logger } from '../logger.js';
import type { EventBus } from './bus.js';
import type { LiveEvent } from './types.js';

type TaskProgress = Extract<LiveEvent, { type: 'task.progress' }>;

/** At most one count per task this often. */
const MIN_INTERVAL_MS = 250;
/**
 * …and never more than this share of the time spent counting: a task with a million rows takes a while to
 * count, so its progress is spaced further apart rather than stealing the event loop (better-sqlite3 is synchronous).
 */
const MAX_DUTY = 0.1;

/** A task's rows counted in one indexed pass (task_results_pick leads with taskId). */
export async function countTaskProgress(db: Queries, taskId: number): Promise<TaskProgress> {
  const rows = await db.all<{ result: string; waiting: number; n: number; inCall: number | null; answered: number | null }>(
    `SELECT result, CASE WHEN closeTime = 0 AND state = 'CreateTask' THEN 1 ELSE 0 END AS waiting, COUNT(*) AS n,
            SUM(inCall) AS "inCall", SUM(CASE WHEN outDialState = 'ANSWER' THEN 1 ELSE 0 END) AS answered
       FROM task_results WHERE taskId = ? GROUP BY 1, 2`,
    [taskId],
  );
  const p: TaskProgress = { type: 'task.progress', taskId, waiting: 0, inCall: 0, done: 0, answered: 0, results: {} };
  for (const r of rows) {
    const n = Number(r.n);
    p.inCall += Number(r.inCall ?? 0);
    if (Number(r.waiting) === 1) p.waiting += n;
    else if (r.result !== '') {
      p.done += n;
      p.answered += Number(r.answered ?? 0);
      p.results[r.result] = (p.results[r.result] ?? 0) + n;
    }
  }
  return p;
}

/**
 * Publishes `task.progress` for a task whenever its calls start or end, or it changes state: counted from the
 * database in a timer of its own (never in a call's await path), at most every MIN_INTERVAL_MS per task, a
 * burst of calls coalesced into one count; unchanged progress is not published again.
 */
export function startTaskProgress(deps: { db: Queries; bus: EventBus; log: Logger }): { stop(): void } {
  const { db, bus, log } = deps;
  const tasks = new Map<number, { timer?: NodeJS.Timeout; nextAt: number; counting: boolean; dirty: boolean; last?: string }>();
  let stopped = false;

  const schedule = (taskId: number) => {
    let t = tasks.get(taskId);
    if (!t) tasks.set(taskId, (t = { nextAt: 0, counting: false, dirty: false }));
    t.dirty = true;
    if (t.timer || t.counting || stopped) return;
    const task = t;
    task.timer = setTimeout(() => void count(taskId, task), Math.max(0, task.nextAt - Date.now()));
    task.timer.unref?.();
  };

  async function count(taskId: number, t: NonNullable<ReturnType<typeof tasks.get>>) {
    t.timer = undefined;
    t.dirty = false;
    t.counting = true;
    const start = performance.now();
    try {
      const p = await countTaskProgress(db, taskId);
      const { type: _, ...rest } = p;
      const key = JSON.stringify(rest);
      if (key !== t.last && !stopped) {
        t.last = key;
        bus.publish(p);
      }
    } catch (err) {
      log.warn({ err, taskId }, 'could not count task progress');
    } finally {
      const took = performance.now() - start;
      t.counting = false;
      t.nextAt = Date.now() + Math.max(MIN_INTERVAL_MS, took / MAX_DUTY);
      if (t.dirty) schedule(taskId);
      // a closed task's entry goes (its last progress was just published); a paused one may come back
      else if (closedTasks.delete(taskId)) tasks.delete(taskId);
    }
  }

  const closedTasks = new Set<number>();
  const off = bus.listen(({ event: e }) => {
    if (e.type === 'call.started' || e.type === 'call.ended') schedule(e.taskId);
    else if (e.type === 'task.state') {
      if (e.state === 1) closedTasks.add(e.taskId);
      schedule(e.taskId);
    }
  });

  return {
    stop() {
      stopped = true;
      off();
      for (const t of tasks.values()) clearTimeout(t.timer);
      tasks.clear();
    },
  };
}
