import type { Queries } from '../db/port.js';
import type { Logger } from '../logger.js';
import type { EventBus } from './bus.js';
import { taskCounts } from './task-counts.js';
import type { LiveEvent } from './types.js';

type TaskProgress = Extract<LiveEvent, { type: 'task.progress' }>;

/** At most one count per task this often. */
const MIN_INTERVAL_MS = 250;
/**
 * …and never more than this share of the time spent counting: a count is cheap once the task's tally is built
 * (task-counts.ts), but the first one of a task with a million rows folds them (a second or two, in chunks), and a
 * task closing thousands of rows a minute has that many to read; its progress is then spaced further apart.
 */
const MAX_DUTY = 0.1;
/**
 * A while after start the newest tasks (as many as the cockpit's list shows) are counted once in the background, so
 * the first look at a big campaign after a restart finds its tally built rather than folding a million rows then.
 */
const WARM_UP_AFTER_MS = 2000;
const WARM_UP_TASKS = 200;

/** A task's rows counted (task-counts.ts: closed rows folded into a cached tally, only recent ones read again). */
export async function countTaskProgress(db: Queries, taskId: number): Promise<TaskProgress> {
  const { waiting, inCall, done, answered, results } = await taskCounts(db, taskId);
  return { type: 'task.progress', taskId, waiting, inCall, done, answered, results };
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

  const warmUp = setTimeout(async () => {
    try {
      for (const id of await db.values<number>('SELECT id FROM tasks ORDER BY id DESC LIMIT ?', [WARM_UP_TASKS])) {
        if (stopped) return;
        await taskCounts(db, Number(id));
      }
    } catch (err) {
      if (!stopped) log.warn({ err }, 'could not count the tasks ahead');
    }
  }, WARM_UP_AFTER_MS);
  warmUp.unref?.();

  return {
    stop() {
      stopped = true;
      clearTimeout(warmUp);
      off();
      for (const t of tasks.values()) clearTimeout(t.timer);
      tasks.clear();
    },
  };
}
