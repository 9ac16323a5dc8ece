import { eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { tasks, taskResults } from '../../src/db/schema.js';
import type { RunSurvey, SurveyOutcome } from '../../stasis/survey/types.js';

export function addTask(db: Db, values: Partial<typeof tasks.$inferInsert>, numbers: (string | Partial<typeof taskResults.$inferInsert>)[]) {
  return db.transaction((tx) => {
    const t = tx.insert(tasks).values({ name: 'test', innerNum: '201', maxCountChannels: 1, ...values }).returning().get();
    const rows = numbers.map((n) => {
      const v = typeof n === 'string' ? { phone: n } : n;
      const phone = v.phone as string;
      return tx
        .insert(taskResults)
        .values({ taskId: t.id, phoneId: phone.slice(-10), changeTime: 0, ...v, phone })
        .returning()
        .get();
    });
    return { task: t, rows };
  });
}

export const rowsOf = (db: Db, taskId: number) =>
  db.select().from(taskResults).where(eq(taskResults.taskId, taskId)).orderBy(taskResults.id).all();
export const taskOf = (db: Db, taskId: number) => db.select().from(tasks).where(eq(tasks.id, taskId)).get()!;

/** Poll until `check` returns a truthy value (real time). */
export async function until<T>(check: () => T | undefined | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
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
