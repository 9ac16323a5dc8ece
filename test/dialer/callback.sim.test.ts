import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock } from '../../src/clock.js';
import type { CallSettings, SettingsReader } from '../../src/ports.js';
import { connectAri } from '../../stasis/ari/ari-client-port.js';
import { createDialer } from '../../stasis/dialer/index.js';
import { addTask, fakeSurvey, rowsOf, taskOf, until } from './helpers.js';
import { SCALE, simSuite } from './sim-harness.js';

/**
 * Callback mode (isCallback = 1) against the simulator through the real ari-client: the operator is rung first
 * showing the customer's number, may have to confirm an alert with key 1, and only then is the customer dialed.
 */
let s: Awaited<ReturnType<typeof simSuite>>;
let alert = '';
const settings: SettingsReader = {
  current: async (): Promise<CallSettings> => ({ defaultDialPrefix: '', callbackAlertText: alert, crmUrl: '', crmResponseTemplate: '' }),
};
/** Caller id shown on each operator leg that entered our app, by channel id. */
const operatorCallerId = new Map<string, string>();
/** What the operator presses when the alert starts playing on their leg ('' = nothing). */
let operatorPresses = '';
const alertsPlayed: string[] = [];

beforeAll(async () => {
  s = await simSuite();
  const ari = await connectAri({ url: s.sim.url, username: s.sim.username, password: s.sim.password, app: s.config.ari.app, log: s.log });
  const dialer = createDialer({ config: s.config, db: s.db, log: s.log, ari, clock: createClock(SCALE), runSurvey: fakeSurvey(), simulator: true, settings });
  s.sim.world.onEvent((e) => {
    const ev = e as { type: string; channel?: { id: string; caller: { number: string } }; playback?: { target_uri: string; media_uri: string } };
    if (ev.type === 'StasisStart' && ev.channel?.id.startsWith('op-')) operatorCallerId.set(ev.channel.id, ev.channel.caller.number);
    if (ev.type === 'PlaybackStarted' && ev.playback?.target_uri.startsWith('channel:op-')) {
      const channelId = ev.playback.target_uri.slice('channel:'.length);
      alertsPlayed.push(channelId);
      if (operatorPresses) setTimeout(() => s.sim.world.pressDigits(channelId, operatorPresses), 5);
    }
  });
  await dialer.start();
  const stop = s.cleanup;
  s.cleanup = async () => {
    await dialer.stop();
    await ari.close();
    await stop();
  };
});
afterAll(() => s.cleanup());

const closed = (taskId: number, ms = 15_000) => until(async () => (await taskOf(s.db, taskId)).state === 1, ms, `task ${taskId} closed`);
const calls = (endpointPart: string) => s.sim.world.callLog.filter((c) => c.endpoint.includes(endpointPart));
const customerDials = (phone: string) => calls(`${phone}@`);

describe('callback mode: the operator first, then the customer', () => {
  it('rings the operator showing the customer, then the customer, and records SUCCESS once they talked', async () => {
    alert = '';
    s.sim.world.setAgent('201', { answerAfterMs: 1000, hangupAfterMs: 600_000 });
    s.sim.world.setCustomer('79100000007', { kind: 'answer', ringing: true, answerAfterMs: 2000, hangupAfterMs: 10_000 });
    const t = await addTask(s.db, { innerNum: '201', isCallback: 1 }, ['79100000007']);
    await closed(t.task.id);
    const [row] = await rowsOf(s.db, t.task.id);
    expect(row).toMatchObject({ result: 'SUCCESS', state: 'endCall', outDialState: 'ANSWER', inDialState: 'ANSWER', hangupCause: 16 });
    expect(row!.linkedId).toBe(row!.callFile);

    const [operator] = calls('Local/201@internal');
    const [customer] = customerDials('79100000007');
    expect(operator!.channelId).toBe(`op-${row!.callFile}`);
    expect(operator!.answeredAt).toBeLessThanOrEqual(customer!.startedAt); // the customer is dialed only once the operator is there
    expect(operatorCallerId.get(operator!.channelId)).toBe('79100000007');
    expect(customerDials('79100000007')).toHaveLength(1);
    expect(operator!.endedAt).toBeDefined(); // hung up when the customer left
  });

  it('records FAIL_USER_NO_ANSWER and never dials the customer when the operator does not answer or is busy', async () => {
    alert = '';
    s.sim.world.setAgent('203', { answerAfterMs: 0, noAnswer: true });
    const silent = await addTask(s.db, { innerNum: '203', isCallback: 1 }, ['79100000107']);
    const busy = await addTask(s.db, { innerNum: '204', isCallback: 1 }, ['79100000117']); // 204 looks free, answers Busy
    await closed(silent.task.id);
    await closed(busy.task.id);
    expect((await rowsOf(s.db, silent.task.id))[0]).toMatchObject({ result: 'FAIL_USER_NO_ANSWER', state: 'endDial', inDialState: 'NOANSWER', outDialState: null });
    expect((await rowsOf(s.db, busy.task.id))[0]).toMatchObject({ result: 'FAIL_USER_NO_ANSWER', state: 'endDial', inDialState: 'BUSY' });
    expect(customerDials('79100000107')).toHaveLength(0);
    expect(customerDials('79100000117')).toHaveLength(0);
    s.sim.world.setAgent('203', { answerAfterMs: 3000, noAnswer: false });
  });

  it('plays the alert to the operator and dials the customer once the operator presses 1', async () => {
    alert = 'Callback to a customer: press 1 to call';
    operatorPresses = '1';
    s.sim.world.setAgent('202', { answerAfterMs: 1000, hangupAfterMs: 600_000 });
    s.sim.world.setCustomer('79100000207', { kind: 'answer', answerAfterMs: 1000, hangupAfterMs: 5000 });
    const t = await addTask(s.db, { innerNum: '202', isCallback: 1 }, ['79100000207']);
    await closed(t.task.id);
    const [row] = await rowsOf(s.db, t.task.id);
    expect(row).toMatchObject({ result: 'SUCCESS', outDialState: 'ANSWER' });
    expect(alertsPlayed).toContain(`op-${row!.callFile}`);
    expect(customerDials('79100000207')).toHaveLength(1);
  });

  it('cancels with FAIL_USER_BUSY (UserCancelCallback) when the operator presses 0 or nothing, and never dials the customer', async () => {
    alert = 'Callback to a customer: press 1 to call';
    for (const [key, phone] of [['0', '79100000307'], ['', '79100000317']] as const) {
      operatorPresses = key;
      const t = await addTask(s.db, { innerNum: '202', isCallback: 1 }, [phone]);
      await closed(t.task.id);
      const [row] = await rowsOf(s.db, t.task.id);
      expect([key, row!.result, row!.state, row!.inDialState]).toEqual([key, 'FAIL_USER_BUSY', 'UserCancelCallback', 'ANSWER']);
      expect(alertsPlayed).toContain(`op-${row!.callFile}`);
      expect(customerDials(phone)).toHaveLength(0);
      const operator = calls('Local/202@internal').find((c) => c.channelId === `op-${row!.callFile}`)!;
      expect(operator.endedAt).toBeDefined(); // we hung the operator up
    }
    operatorPresses = '';
    alert = '';
  });

  it('records FAIL_USER_H_BEFORE_CLIENT_ANSWER and hangs the customer up at once when the operator leaves while it rings', async () => {
    alert = '';
    s.sim.world.setAgent('201', { answerAfterMs: 1000, hangupAfterMs: 3000 });
    s.sim.world.setCustomer('79100000403', { kind: 'noAnswer', ringForeverMs: 60_000 });
    const t = await addTask(s.db, { innerNum: '201', isCallback: 1 }, ['79100000403']);
    await closed(t.task.id);
    const [row] = await rowsOf(s.db, t.task.id);
    expect(row).toMatchObject({ result: 'FAIL_USER_H_BEFORE_CLIENT_ANSWER', state: 'endCall', inDialState: 'ANSWER', outDialState: null });
    const [customer] = customerDials('79100000403');
    const operator = calls('Local/201@internal').find((c) => c.channelId === `op-${row!.callFile}`)!;
    expect(customer!.answeredAt).toBeUndefined();
    // the customer's phone stopped ringing right after the operator left, not at its 45 s ring timeout
    expect(customer!.endedAt! - operator.endedAt!).toBeLessThan(45_000 * SCALE / 3);
    s.sim.world.setAgent('201', { answerAfterMs: 1000, hangupAfterMs: 600_000 });
  });

  it('records an unreached customer as FAIL with outDialState and retries it per maxAttempt', async () => {
    alert = '';
    s.sim.world.setCustomer('79100000503', { kind: 'noAnswer', ringForeverMs: 60_000 });
    const busy = await addTask(s.db, { innerNum: '201', isCallback: 1, maxAttempt: 2, tryInterval: 1 }, ['79100000502']);
    await closed(busy.task.id);
    const noAnswer = await addTask(s.db, { innerNum: '201', isCallback: 1, maxAttempt: 2, tryInterval: 1 }, ['79100000503']);
    await closed(noAnswer.task.id);
    const summary = async (taskId: number) => (await rowsOf(s.db, taskId)).map((r) => [r.attemptNumber, r.result, r.outDialState, r.inDialState]);
    expect(await summary(busy.task.id)).toEqual([
      [1, 'FAIL', 'BUSY', 'ANSWER'],
      [2, 'FAIL', 'BUSY', 'ANSWER'],
    ]);
    expect(await summary(noAnswer.task.id)).toEqual([
      [1, 'FAIL', 'NOANSWER', 'ANSWER'],
      [2, 'FAIL', 'NOANSWER', 'ANSWER'],
    ]);
    expect(customerDials('79100000502')).toHaveLength(2);
    expect(calls('Local/201@internal').filter((c) => (c.endedAt ?? 0) === 0)).toEqual([]); // no operator left on the line
  });
});
