import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialer } from '../../stasis/dialer/index.js';
import { addDnc } from '../../src/services/dnc/index.js';
import type { ServiceCtx } from '../../src/services/context.js';
import { addTask, fakeSurvey, rowsOf, taskOf, until } from './helpers.js';
import { simSuite } from './sim-harness.js';

/**
 * The do-not-call list against the simulator: numbers on the global list or the task's are closed FAIL_DNC right
 * before their originate and never reach the PBX, never retried; a number listed while its task runs is caught too.
 */
let s: Awaited<ReturnType<typeof simSuite>>;
let dialer: Dialer;
let ctx: ServiceCtx;
beforeAll(async () => {
  s = await simSuite({ DIALER_TIMEZONE: 'UTC' });
  dialer = (await s.dialer(fakeSurvey({ result: 'SUCCESS_POLLING' }, 1000))).dialer;
  ctx = { db: s.db, config: s.config, log: s.log, now: () => Date.now() / 1000 };
});
afterAll(() => s.cleanup());

const customerCalls = () => s.sim.world.callLog.filter((c) => !c.endpoint.includes('@internal'));

describe('do-not-call list in a campaign', () => {
  it('never dials listed numbers (global, the task\'s, one added mid-campaign); closes them FAIL_DNC, never retried', async () => {
    // …0 answers (the survey), …2 is busy: a busy number would be retried (maxAttempt 3) if it were ever dialed
    const nums = ['79001000010', '79001000022', '79001000030', '79001000042', '79001000050', '79001000060', '79001000070', '79001000082'];
    const { task } = await addTask(s.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 1, maxAttempt: 3, tryInterval: 1 }, nums);
    // global list, written in another format (8…): identity is the last 10 digits
    expect((await addDnc(ctx, { numbers: ['8 900 100-00-22'], taskId: 0, reason: 'global' })).ok).toBe(true);
    expect((await addDnc(ctx, { numbers: ['79001000042'], taskId: task.id, reason: 'task' })).ok).toBe(true);
    // another task's list does not apply to this one
    const other = await addTask(s.db, { innerNumType: 'polling', innerNum: '1', state: 1 }, []);
    expect((await addDnc(ctx, { numbers: ['79001000030'], taskId: other.task.id, reason: 'other task' })).ok).toBe(true);

    dialer.tasksChanged([task.id]);
    // while the first call is up, the last number is listed: the check before its originate catches it
    await until(() => customerCalls().some((c) => c.number.endsWith('79001000010')), 5000, 'first call');
    expect((await addDnc(ctx, { numbers: ['79001000082'], taskId: 0, reason: 'mid-campaign' })).ok).toBe(true);
    await until(async () => (await taskOf(s.db, task.id)).state === 1, 30_000, 'task closed');

    const dialed = new Set(customerCalls().map((c) => c.number.slice(-11)));
    const listed = ['79001000022', '79001000042', '79001000082'];
    for (const n of listed) expect(dialed.has(n), `${n} dialed`).toBe(false);
    for (const n of nums.filter((x) => !listed.includes(x))) expect(dialed.has(n), `${n} not dialed`).toBe(true);

    const rows = await rowsOf(s.db, task.id);
    for (const n of listed) {
      const mine = rows.filter((r) => r.phone === n);
      expect(mine, `${n}: one row, never retried`).toHaveLength(1);
      expect(mine[0]).toMatchObject({ result: 'FAIL_DNC', state: 'Dnc', cause: 'do-not-call list', originatedAt: null, inCall: 0, attemptNumber: 1 });
      expect(mine[0]!.closeTime).toBeGreaterThan(0);
    }
    expect(rows.filter((r) => r.result === 'SUCCESS_POLLING').map((r) => r.phone)).toEqual(['79001000010', '79001000030', '79001000050', '79001000060', '79001000070']);
  }, 60_000);

  it('in callback mode, closes a listed number before the operator is rung', async () => {
    const before = s.sim.world.callLog.length;
    // listed before the task exists (a pass may start it the moment it is written)
    expect((await addDnc(ctx, { numbers: ['79001000117'], taskId: 0, reason: 'callback' })).ok).toBe(true);
    const { task } = await addTask(s.db, { innerNum: '201', isCallback: 1, maxAttempt: 2 }, ['79001000117']);
    dialer.tasksChanged([task.id]);
    await until(async () => (await taskOf(s.db, task.id)).state === 1, 15_000, 'task closed');
    expect((await rowsOf(s.db, task.id)).map((r) => [r.result, r.state])).toEqual([['FAIL_DNC', 'Dnc']]);
    // (the dialer's utility channel for reading agent states is no call)
    const rung = s.sim.world.callLog.slice(before).filter((c) => !c.endpoint.includes('@dialer-misc'));
    expect(rung.map((c) => c.endpoint), 'neither the operator nor the customer rung').toEqual([]);
  });
});

describe('retry plan of FAIL_DNC', () => {
  it('is never retried, with or without rules, even with attemptUntilSignal', async () => {
    const { planRetry } = await import('../../src/domain/retry-outcome.js');
    const task = { maxAttempt: 10, tryInterval: 1, attemptUntilSignal: 1 };
    expect(planRetry({ result: 'FAIL_DNC' }, task, {})).toEqual({ retry: false });
    expect(planRetry({ result: 'FAIL_DNC' }, task, { other: { max: 5 } })).toEqual({ retry: false });
  });
});
