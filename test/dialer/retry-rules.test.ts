import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { tasks } from '../../src/db/schema.js';
import { claimAttempt, finishAttempt, getAttempt, type TrailFields } from '../../src/services/attempts/index.js';
import type { Dialer } from '../../stasis/dialer/index.js';
import { addTask, fakeSurvey, rowsOf, taskOf, until } from './helpers.js';
import { simSuite, SCALE } from './sim-harness.js';

/**
 * Retry rules per outcome (tasks.retryRules): first on the storage, attempt by attempt, then end to end against the
 * simulator through the real ari-client.
 */

let s: Awaited<ReturnType<typeof simSuite>>;
let dialer: Dialer;
beforeAll(async () => {
  s = await simSuite({ DIALER_TIMEZONE: 'UTC' });
  // numbers ending in 11 leave the survey unfinished, the others finish it
  dialer = (await s.dialer(fakeSurvey((phone) => (phone.endsWith('11') ? { result: 'FAIL_POLLING', reason: 'no-input' } : { result: 'SUCCESS_POLLING' }), 500))).dialer;
});
afterAll(() => s.cleanup());

const BUSY: TrailFields = { state: 'endCall', outDialState: 'BUSY', hangupCause: 17 };
const NO_ANSWER: TrailFields = { state: 'endCall', outDialState: 'NOANSWER', hangupCause: 19 };
const UNALLOCATED: TrailFields = { state: 'endCall', outDialState: 'NOANSWER', hangupCause: 1 };

describe('finishing attempts under retry rules (storage)', () => {
  const stored = (rules: object) => JSON.stringify(rules);
  /** A task of one number, straight into the database; `finish` closes its current open row as the dialer would. */
  async function number(task: Partial<typeof tasks.$inferInsert>, phone: string) {
    const { task: t, rows } = await addTask(s.db, { state: 2, ...task }, [phone]); // paused: the live dialer leaves it alone
    let current = rows[0]!.id;
    const delays: number[] = [];
    const finish = async (result: string, f: TrailFields, owner?: { node: string; epoch: number }) => {
      await claimAttempt(s.db, current, `ch-${current}`, 1000);
      const out = await finishAttempt(s.db, current, result, f, { nowSec: 1000, retryAt: (d) => (delays.push(d), 1000 + d), owner });
      if (out.retryRowId) current = out.retryRowId;
      return out;
    };
    return { task: t, finish, delays, rows: () => rowsOf(s.db, t.id) };
  }

  it('retries a busy number after the busy delay up to its own max, whatever maxAttempt says', async () => {
    const n = await number({ maxAttempt: 1, tryInterval: 60, retryRules: stored({ busy: { delay: 300, max: 3 } }) }, '79001000002');
    expect((await n.finish('FAIL', BUSY)).retryRowId).toBeDefined();
    expect((await n.finish('FAIL', BUSY)).retryRowId).toBeDefined();
    expect((await n.finish('FAIL', BUSY)).retryRowId).toBeUndefined();
    expect((await n.rows()).map((r) => [r.attemptNumber, r.result, r.timeCallAllow])).toEqual([
      [1, 'FAIL', 0],
      [2, 'FAIL', 1300],
      [3, 'FAIL', 1300],
    ]);
    expect(n.delays).toEqual([300, 300]);
  });

  it("counts a rule's max over attempts with that outcome only; other numbers and tasks do not count", async () => {
    const rules = stored({ busy: { delay: 300, max: 2 }, noAnswer: { delay: 3600, max: 2 } });
    // the same number in another task, busy before: not this task's attempt
    const other = await number({ retryRules: rules }, '79001000012');
    await other.finish('FAIL', BUSY);
    const n = await number({ retryRules: rules }, '79001000012');
    expect((await n.finish('FAIL', BUSY)).retryRowId).toBeDefined(); // 1st busy of 2 (the other task's is not counted)
    expect((await n.finish('FAIL', NO_ANSWER)).retryRowId).toBeDefined(); // 1st no answer of 2: 2 attempts so far do not matter
    expect((await n.finish('FAIL', BUSY)).retryRowId).toBeUndefined(); // 2nd busy: its max
    expect(n.delays).toEqual([300, 3600]);
    expect((await n.rows()).map((r) => r.attemptNumber)).toEqual([1, 2, 3]);
  });

  it('an outcome with no rule keeps maxAttempt over all attempts and tryInterval', async () => {
    const n = await number({ maxAttempt: 2, tryInterval: 45, retryRules: stored({ busy: { delay: 300, max: 5 } }) }, '79001000022');
    expect((await n.finish('FAIL_USER_BUSY', { state: 'allUserBusy' })).retryRowId).toBeDefined();
    expect((await n.finish('FAIL_USER_BUSY', { state: 'allUserBusy' })).retryRowId).toBeUndefined();
    expect(n.delays).toEqual([45]);
  });

  it('never retries an unallocated number or one without a route, whatever the rules say', async () => {
    const rules = stored({ noAnswer: { delay: 1, max: 9 }, other: { delay: 1, max: 9 }, congestion: { delay: 1, max: 9 } });
    const unallocated = await number({ maxAttempt: 9, attemptUntilSignal: 1, retryRules: rules }, '79001000008');
    expect((await unallocated.finish('FAIL', UNALLOCATED)).retryRowId).toBeUndefined();
    const noRoute = await number({ maxAttempt: 9, retryRules: rules }, '79001000032');
    expect((await noRoute.finish('FAIL_ROUTE', { state: 'endCall', hangupCause: 0 })).retryRowId).toBeUndefined();
  });

  it('retries an unfinished survey per its rule', async () => {
    const n = await number({ innerNumType: 'polling', innerNum: '1', retryRules: stored({ surveyUnfinished: { delay: 7200, max: 2 } }) }, '79001000011');
    expect((await n.finish('FAIL_POLLING', { state: 'EVENT_POLLING', hangupCause: 16 })).retryRowId).toBeDefined();
    expect((await n.finish('FAIL_POLLING', { state: 'EVENT_POLLING', hangupCause: 16 })).retryRowId).toBeUndefined();
    expect(n.delays).toEqual([7200]);
  });

  it('with attemptUntilSignal = 1, a success is retried by the success rule; without it, never', async () => {
    const rules = stored({ success: { delay: 86400, max: 3 } });
    const until = await number({ attemptUntilSignal: 1, retryRules: rules }, '79001000042');
    for (let i = 0; i < 2; i++) expect((await until.finish('SUCCESS_POLLING', { state: 'EVENT_POLLING_END' })).retryRowId).toBeDefined();
    expect((await until.finish('SUCCESS_POLLING', { state: 'EVENT_POLLING_END' })).retryRowId).toBeUndefined();
    expect(until.delays).toEqual([86400, 86400]);
    const once = await number({ maxAttempt: 5, retryRules: rules }, '79001000052');
    expect((await once.finish('SUCCESS_POLLING', { state: 'EVENT_POLLING_END' })).retryRowId).toBeUndefined();
  });

  it('keeps the owner fencing: a call no longer ours records nothing and schedules nothing', async () => {
    const n = await number({ retryRules: stored({ busy: { delay: 300, max: 3 } }) }, '79001000062');
    const rowId = (await n.rows())[0]!.id;
    await claimAttempt(s.db, rowId, 'ch-fenced', 1000, { node: 'a', epoch: 1 });
    const out = await finishAttempt(s.db, rowId, 'FAIL', BUSY, { nowSec: 1000, retryAt: (d) => 1000 + d, owner: { node: 'b', epoch: 1 } });
    expect(out).toEqual({ closed: false, siblingsClosed: 0 });
    expect(await getAttempt(s.db, rowId)).toMatchObject({ closeTime: 0, result: '' });
    expect(await n.rows()).toHaveLength(1);
  });

  it('a number removed from the task while its call was up is not retried, rule or not', async () => {
    const n = await number({ retryRules: stored({ busy: { delay: 300, max: 3 } }) }, '79001000072');
    await s.db.run('UPDATE task_results SET removed = 1 WHERE taskId = ?', [n.task.id]);
    expect((await n.finish('FAIL', BUSY)).retryRowId).toBeUndefined();
  });
});

describe('retry rules against the simulator (real ari-client)', () => {
  const closed = (taskId: number, ms = 30_000) => until(async () => (await taskOf(s.db, taskId)).state === 1, ms, `task ${taskId} closed`);
  const callsTo = (n: string) => s.sim.world.callLog.filter((c) => c.number === n && !c.endpoint.includes('@internal'));
  /** Seconds between an attempt's close and the time its retry may be dialed, per retry, for one number. */
  const waits = (rows: { phone: string; closeTime: number; timeCallAllow: number }[], phone: string) => {
    const mine = rows.filter((r) => r.phone === phone);
    return mine.slice(1).map((r, i) => r.timeCallAllow - mine[i]!.closeTime);
  };

  it('retries busy after its delay up to its max, no answer after its own, never an unallocated number', async () => {
    const [busy, noAnswer, unallocated] = ['79007000002', '79007000003', '79007000008'];
    const { task } = await addTask(
      s.db,
      { innerNumType: 'polling', innerNum: '1', maxCountChannels: 3, maxAttempt: 1, tryInterval: 30, retryRules: JSON.stringify({ busy: { delay: 100, max: 3 }, noAnswer: { delay: 200, max: 2 }, other: { max: 5 } }) },
      [busy, noAnswer, unallocated],
    );
    dialer.tasksChanged([task.id]);
    await closed(task.id);
    const rows = await rowsOf(s.db, task.id);
    const of = (phone: string) => rows.filter((r) => r.phone === phone).map((r) => [r.attemptNumber, r.result, r.outDialState]);
    expect(of(busy)).toEqual([[1, 'FAIL', 'BUSY'], [2, 'FAIL', 'BUSY'], [3, 'FAIL', 'BUSY']]);
    expect(of(noAnswer)).toEqual([[1, 'FAIL', 'NOANSWER'], [2, 'FAIL', 'NOANSWER']]);
    expect(of(unallocated)).toEqual([[1, 'FAIL', 'NOANSWER']]);
    expect(callsTo(unallocated)).toHaveLength(1);
    // each retry waits its own outcome's delay (scaled; timeCallAllow is rounded up to the whole second)
    for (const w of waits(rows, busy)) expect(w).toBeGreaterThanOrEqual(100 * SCALE - 0.01), expect(w).toBeLessThan(100 * SCALE + 1.01);
    for (const w of waits(rows, noAnswer)) expect(w).toBeGreaterThanOrEqual(200 * SCALE - 0.01), expect(w).toBeLessThan(200 * SCALE + 1.01);
    const b = callsTo(busy);
    expect(b).toHaveLength(3);
    expect(b[1]!.startedAt - b[0]!.startedAt).toBeGreaterThanOrEqual(100 * SCALE * 1000 - 20);
  });

  it('retries an unfinished survey per its rule; outcomes without a rule keep maxAttempt', async () => {
    const [unfinished, finished, busy] = ['79007100011', '79007100001', '79007100002'];
    const { task } = await addTask(
      s.db,
      { innerNumType: 'polling', innerNum: '1', maxCountChannels: 3, maxAttempt: 1, tryInterval: 30, retryRules: JSON.stringify({ surveyUnfinished: { delay: 50, max: 2 } }) },
      [unfinished, finished, busy],
    );
    dialer.tasksChanged([task.id]);
    await closed(task.id);
    const rows = await rowsOf(s.db, task.id);
    expect(rows.map((r) => [r.phone, r.attemptNumber, r.result])).toEqual([
      [unfinished, 1, 'FAIL_POLLING'],
      [finished, 1, 'SUCCESS_POLLING'],
      [busy, 1, 'FAIL'],
      [unfinished, 2, 'FAIL_POLLING'],
    ]);
    for (const w of waits(rows, unfinished)) expect(w).toBeGreaterThanOrEqual(50 * SCALE - 0.01), expect(w).toBeLessThan(50 * SCALE + 1.01);
  });

  it('without rules keeps the old behaviour: every FAIL after tryInterval up to maxAttempt, an unallocated number never', async () => {
    const [busy, noAnswer, unallocated] = ['79007200002', '79007200003', '79007200008'];
    const { task } = await addTask(s.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 3, maxAttempt: 2, tryInterval: 60 }, [busy, noAnswer, unallocated]);
    dialer.tasksChanged([task.id]);
    await closed(task.id);
    const rows = await rowsOf(s.db, task.id);
    expect(rows.map((r) => [r.phone, r.attemptNumber, r.outDialState])).toEqual([
      [busy, 1, 'BUSY'],
      [noAnswer, 1, 'NOANSWER'],
      [unallocated, 1, 'NOANSWER'],
      [busy, 2, 'BUSY'],
      [noAnswer, 2, 'NOANSWER'],
    ]);
    for (const p of [busy, noAnswer]) for (const w of waits(rows, p)) expect(w).toBeGreaterThanOrEqual(60 * SCALE - 0.01), expect(w).toBeLessThan(60 * SCALE + 1.01);
  });
});
