import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config.js';
import { phoneIdOf } from '../../src/domain/phone.js';
import { upsertTask } from '../../src/services/tasks/upsert.js';
import { freshEnv } from '../helpers/env.js';

/**
 * Whatever sequence of number lists a CRM posts (with some numbers finished in between), after each POST:
 * the task holds exactly the distinct numbers of the last list, new ones in request order after the
 * kept ones, and a finished number keeps its result (it is never reset or re-dialed).
 */
const e = await freshEnv();

describe('number merge, property', () => {
  afterAll(() => e.cleanup());
  const ctx = { db: e.db, config: testConfig({ DIALER_TIMEZONE: 'UTC' }), log: e.log, now: () => Date.now() / 1000 };
  // a small pool so lists overlap; 7… and 8… prefixes of the same subscriber collide by design
  const number = fc.tuple(fc.constantFrom('7', '8'), fc.integer({ min: 0, max: 15 })).map(([p, n]) => `${p}90000000${String(n).padStart(2, '0')}`);
  const step = fc.record({ numbers: fc.array(number, { maxLength: 12 }), finish: fc.array(fc.nat(), { maxLength: 3 }) });

  it('keeps exactly the last list, in order, and never loses a result', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 6 }), async (steps) => {
        const crmId = `prop-${run++}`;
        const finished = new Map<string, string>(); // phoneId → result
        for (const s of steps) {
          const before = await e.db.all<{ phoneId: string }>('SELECT phoneId FROM task_results t JOIN tasks k ON k.id = t.taskId WHERE k.crmId = ? ORDER BY t.id', [crmId]);
          const out = await upsertTask(ctx, { crmId, innerNum: '1', numbers: s.numbers });
          expect(out.ok).toBe(true);
          if (!out.ok) return;
          const rows = await e.db.all<{ id: number; phoneId: string; result: string }>('SELECT id, phoneId, result FROM task_results WHERE taskId = ? ORDER BY id', [out.data.id]);
          const wanted = [...new Set(s.numbers.map(phoneIdOf))];
          expect(rows.map((r) => r.phoneId).sort()).toEqual([...wanted].sort());
          // kept numbers first (in their old order), then the new ones in request order
          const kept = before.map((b) => b.phoneId).filter((p) => wanted.includes(p));
          const added = wanted.filter((p) => !kept.includes(p));
          expect(rows.map((r) => r.phoneId)).toEqual([...kept, ...added]);
          for (const r of rows) if (finished.has(r.phoneId)) expect(r.result).toBe(finished.get(r.phoneId));
          for (const p of [...finished.keys()]) if (!wanted.includes(p)) finished.delete(p);
          // the dialer finishes some numbers before the next POST
          for (const i of s.finish) {
            const r = rows[i % Math.max(rows.length, 1)];
            if (!r || finished.has(r.phoneId)) continue;
            await e.db.run("UPDATE task_results SET result = 'SUCCESS', closeTime = 1 WHERE id = ?", [r.id]);
            finished.set(r.phoneId, 'SUCCESS');
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
