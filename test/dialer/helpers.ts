import type { Db, Queries } from '../../src/db/client.js';
import type { tasks, taskResults } from '../../src/db/schema.js';
import type { RunSurvey, SurveyOutcome } from '../../stasis/survey/types.js';

type TaskRow = typeof tasks.$inferSelect;
type ResultRow = typeof taskResults.$inferSelect;

/** INSERT of the given columns, answering the whole row (both dialects have RETURNING). */
async function insertRow<T>(q: Queries, table: string, values: Record<string, unknown>): Promise<T> {
  const cols = Object.keys(values).filter((k) => values[k] !== undefined);
  const sql = `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) RETURNING *`;
  return (await q.get<T>(sql, cols.map((k) => values[k])))!;
}

/** A task and its numbers written straight into the database (no API), in one transaction. */
export function addTask(db: Db, values: Partial<typeof tasks.$inferInsert>, numbers: (string | Partial<typeof taskResults.$inferInsert>)[]) {
  return db.tx(async (q) => {
    const task = await insertRow<TaskRow>(q, 'tasks', { name: 'test', innerNum: '201', maxCountChannels: 1, ...values });
    const rows: ResultRow[] = [];
    for (const n of numbers) {
      const v = typeof n === 'string' ? { phone: n } : n;
      const phone = v.phone as string;
      rows.push(await insertRow<ResultRow>(q, 'task_results', { taskId: task.id, phoneId: phone.slice(-10), changeTime: 0, ...v, phone }));
    }
    return { task, rows };
  });
}

export const rowsOf = (db: Db, taskId: number) => db.all<ResultRow>('SELECT * FROM task_results WHERE taskId = ? ORDER BY id', [taskId]);
export const taskOf = async (db: Db, taskId: number) => (await db.get<TaskRow>('SELECT * FROM tasks WHERE id = ?', [taskId]))!;

/** Poll until `check` answers a truthy value (real time); `check` may be async (database reads are). */
export async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Survey double: SUCCESS_POLLING after a short wait unless the customer hangs up first. */
export function fakeSurvey(
  outcome: SurveyOutcome | ((phone: string) => SurveyOutcome) = { result: 'SUCCESS_POLLING' },
  holdMs = 2000,
): RunSurvey & { calls: number } {
  const run: RunSurvey = async (session, ctx) => {
    fn.calls++;
    await session.clock.sleep(holdMs, session.signal);
    if (session.ended) return { result: 'FAIL_POLLING', reason: 'hangup' };
    return typeof outcome === 'function' ? outcome(ctx.phone) : outcome;
  };
  const fn = Object.assign(run, { calls: 0 });
  return fn;
}

/** Largest number of the given calls alive at the same moment (from the simulator's call log). */
export function maxConcurrent(calls: { startedAt: number; endedAt?: number }[]): number {
  const points = calls.flatMap((c) => [
    { t: c.startedAt, d: 1 },
    { t: c.endedAt ?? Infinity, d: -1 },
  ]);
  points.sort((a, b) => a.t - b.t || a.d - b.d); // an end and a start at the same ms do not overlap
  let cur = 0;
  let max = 0;
  for (const p of points) max = Math.max(max, (cur += p.d));
  return max;
}
