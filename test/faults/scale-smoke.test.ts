import { afterAll, describe, expect, it } from 'vitest';
import { closeFirstRows, storeNumbers, timeSelection } from '../../scripts/bench/scale-lib.js';
import { freshEnv } from '../helpers/env.js';

/**
 * Smoke version of scripts/bench/scale-million.ts (which stores 1 000 000 numbers and prints timings and RSS):
 * the same code paths on 8 000 numbers, checking what they select, never how fast.
 */
const e = await freshEnv({ DIALER_TIMEZONE: 'UTC' });
afterAll(() => e.cleanup());
const idsOf = (taskId: number) => e.db.values<number>('SELECT id FROM task_results WHERE taskId = ? ORDER BY id', [taskId]);
const tasks = await storeNumbers(e.db, e.dir, 4, 2000);

describe('scale benchmark pieces (small)', () => {
  it('stores every number through the task service, in its task', async () => {
    expect(tasks).toHaveLength(4);
    for (const t of tasks) expect(await idsOf(t)).toHaveLength(2000);
  });

  it('selects numbers in insertion order, each once', async () => {
    const s = await timeSelection(e.db, tasks[0]!, 300);
    expect(s.picked).toEqual((await idsOf(tasks[0]!)).slice(0, 300));
  });

  it('starts deep in a task whose first rows were dialed', async () => {
    await closeFirstRows(e.db, tasks[1]!, 1500);
    expect((await timeSelection(e.db, tasks[1]!, 10)).picked).toEqual((await idsOf(tasks[1]!)).slice(1500, 1510));
  });

  it('skips the rows of busy clients', async () => {
    const s = await timeSelection(e.db, tasks[2]!, 50, true);
    const clientRows = new Set(await e.db.values<number>("SELECT id FROM task_results WHERE taskId = ? AND clientId <> ''", [tasks[2]!]));
    expect(clientRows.size).toBe(200);
    expect(s.picked.some((id) => clientRows.has(id))).toBe(false);
    expect(s.picked).toHaveLength(50);
  });
});
