import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock } from '../../src/clock.js';
import type { CallSettings, SettingsReader } from '../../src/ports.js';
import { connectAri } from '../../stasis/ari/ari-client-port.js';
import type { AriPort } from '../../stasis/ari/port.js';
import { createDialer, type Dialer } from '../../stasis/dialer/index.js';
import { addTask, fakeSurvey, rowsOf, taskOf, until } from '../dialer/helpers.js';
import { sleep } from '../faults/harness/service.js';
import { freshEnv } from '../helpers/env.js';
import { PBX_ENV } from './dialer-harness.js';
import { pbxSkipReason, startPbx, type Pbx } from './pbx.js';

/**
 * Callback mode on a real Asterisk 22: the dialer (in this process, with a callback alert setting of the test's
 * own) rings the operator first, then the customer. The PBX's own dial log says which customers were really
 * dialed. The test world's agents cannot press keys: the test makes the agent's channel send the digit.
 */
describe.skipIf(pbxSkipReason())('callback mode on a real Asterisk', () => {
  let pbx: Pbx;
  let env: Awaited<ReturnType<typeof freshEnv>>;
  let ari: AriPort;
  let dialer: Dialer;
  let alert = '';
  const settings: SettingsReader = {
    current: async (): Promise<CallSettings> => ({ defaultDialPrefix: '0', callbackAlertText: alert, crmUrl: '', crmResponseTemplate: '' }),
  };
  /** First moment each of our channels was seen in an event, and the caller id each operator leg entered our app with. */
  const firstSeen = new Map<string, number>();
  const operatorCallerId = new Map<string, string>();
  const alertStarted = new Map<string, number>();

  beforeAll(async () => {
    pbx = await startPbx();
    env = await freshEnv({ ...PBX_ENV, DIALER_AGENT_DEVICE: 'Local/{exten}@test-agents', DIALER_SAFETY_TICK_SECONDS: '1' });
    ari = await connectAri({ url: pbx.url, username: pbx.username, password: pbx.password, app: env.config.ari.app, log: env.log });
    ari.onEvent((e) => {
      const ch = 'channel' in e ? (e.channel as { id: string; caller?: { number: string } } | undefined) : undefined;
      if (ch && !firstSeen.has(ch.id)) firstSeen.set(ch.id, Date.now());
      if (e.type === 'StasisStart' && ch?.id.startsWith('op-')) operatorCallerId.set(ch.id, ch.caller?.number ?? '');
      if (e.type === 'PlaybackStarted' && e.playback.target_uri.startsWith('channel:op-')) alertStarted.set(e.playback.target_uri.slice(8), Date.now());
    });
    dialer = createDialer({ config: env.config, db: env.db, log: env.log, ari, clock: createClock(1), runSurvey: fakeSurvey(), simulator: false, settings });
    await dialer.start();
  });
  afterAll(async () => {
    await dialer?.stop();
    await ari?.close();
    await env?.cleanup();
    await pbx?.destroy();
  });

  const dials = (phone: string) => pbx.dials().filter((d) => d.number === phone).length;
  const channelsUp = async () => (await pbx.cli('core show channels concise')).split('\n').filter(Boolean);
  async function closed(taskId: number, ms = 60_000) {
    await until(async () => (await taskOf(env.db, taskId)).state === 1, ms, `task ${taskId} closed`);
    return rowsOf(env.db, taskId);
  }
  /** Hang up a party from its own side: the ";2" half of the Local channel running its dialplan. */
  async function hangUpParty(namePrefix: string) {
    const name = await until(async () => (await channelsUp()).map((l) => l.split('!')[0]!).find((n) => n.startsWith(namePrefix) && n.endsWith(';2')), 20_000, namePrefix);
    await pbx.cli(`channel request hangup ${name}`);
  }
  /**
   * The operator presses a key. ARI refuses DTMF on the ";2" half of our operator leg (409: not in a Stasis app),
   * so the agent's own channel (the test world's `Local/20X@test-agents;2`, in Wait(600)) is redirected to a
   * context that sends the digit, as a phone would, and waits on: the digit travels back through the Dial of
   * [internal] to our Stasis half.
   */
  async function operatorPresses(agent: string, key: string) {
    await pbx.cli(`dialplan add extension ${key},1,SendDTMF,${key} into test-operator-keys replace`);
    await pbx.cli(`dialplan add extension ${key},2,Wait,600 into test-operator-keys replace`);
    const name = await until(async () => (await channelsUp()).map((l) => l.split('!')[0]!).find((n) => n.startsWith(`Local/${agent}@test-agents`) && n.endsWith(';2')), 10_000, `agent ${agent}`);
    await pbx.cli(`channel redirect ${name} test-operator-keys,${key},1`);
  }

  it('rings the operator first showing the customer, then the customer, and records SUCCESS', async () => {
    alert = '';
    const { task, rows } = await addTask(env.db, { innerNum: '201', isCallback: 1 }, ['79040000007']);
    dialer.tasksChanged();
    const row = await until(async () => { const r = (await rowsOf(env.db, task.id))[0]!; return r.outDialState === 'ANSWER' ? r : undefined; }, 30_000, 'talking');
    const operatorId = `op-${row.callFile}`;
    expect(operatorCallerId.get(operatorId)).toBe('79040000007');
    expect(firstSeen.get(operatorId)! + 1000).toBeLessThanOrEqual(firstSeen.get(row.callFile!)!); // the operator answers after 1 s
    await sleep(1000);
    await hangUpParty('Local/79040000007@test-clients');
    const [done] = await closed(task.id);
    expect(done).toMatchObject({ id: rows[0]!.id, result: 'SUCCESS', state: 'endCall', outDialState: 'ANSWER', inDialState: 'ANSWER' });
    expect(dials('79040000007')).toBe(1);
    await until(async () => !(await channelsUp()).some((l) => l.includes('test-agents') || l.includes('79040000007')), 10_000, 'both legs gone');
  });

  it('with the alert set: no key in 6 s cancels with FAIL_USER_BUSY and the customer is never dialed', async () => {
    alert = 'Перезвоните клиенту: нажмите 1';
    const { task } = await addTask(env.db, { innerNum: '202', isCallback: 1 }, ['79040000107']);
    dialer.tasksChanged();
    const [row] = await closed(task.id);
    expect(row).toMatchObject({ result: 'FAIL_USER_BUSY', state: 'UserCancelCallback', inDialState: 'ANSWER', outDialState: null });
    expect(alertStarted.has(`op-${row!.callFile}`)).toBe(true); // the alert (a beep: no TTS here) was played to the operator
    expect(dials('79040000107')).toBe(0);
    await until(async () => !(await channelsUp()).some((l) => l.includes('test-agents')), 10_000, 'operator hung up');
  });

  it('with the alert set: the operator pressing 1 gets the customer on the line', async () => {
    alert = 'Перезвоните клиенту: нажмите 1';
    const { task } = await addTask(env.db, { innerNum: '201', isCallback: 1 }, ['79040000207']);
    dialer.tasksChanged();
    const row = await until(async () => { const r = (await rowsOf(env.db, task.id))[0]!; return r.callFile ? r : undefined; }, 10_000, "claimed");
    const operatorId = `op-${row.callFile}`;
    await until(() => alertStarted.get(operatorId), 15_000, 'alert playing');
    await operatorPresses('201', '1');
    await until(async () => (await rowsOf(env.db, task.id))[0]!.outDialState === 'ANSWER', 20_000, 'talking');
    await hangUpParty('Local/201@test-agents');
    const [done] = await closed(task.id);
    expect(done).toMatchObject({ result: 'SUCCESS', outDialState: 'ANSWER', inDialState: 'ANSWER' });
    expect(dials('79040000207')).toBe(1);
  });

  it('a busy customer is FAIL / BUSY and retried per maxAttempt, the operator hung up each time', async () => {
    alert = '';
    const { task } = await addTask(env.db, { innerNum: '201', isCallback: 1, maxAttempt: 2, tryInterval: 1 }, ['79040000302']);
    dialer.tasksChanged();
    const rows = await closed(task.id);
    expect(rows.map((r) => [r.attemptNumber, r.result, r.outDialState, r.inDialState])).toEqual([
      [1, 'FAIL', 'BUSY', 'ANSWER'],
      [2, 'FAIL', 'BUSY', 'ANSWER'],
    ]);
    expect(dials('79040000302')).toBe(2);
    await until(async () => !(await channelsUp()).some((l) => l.includes('test-agents') || l.includes('79040000302')), 10_000, 'nothing left up');
  });
  it('the operator hanging up while the customer rings: FAIL_USER_H_BEFORE_CLIENT_ANSWER, the customer hung up at once', async () => {
    alert = '';
    const { task } = await addTask(env.db, { innerNum: '202', isCallback: 1 }, ['79040000403']); // …3 rings 60 s
    dialer.tasksChanged();
    await until(() => dials('79040000403') === 1, 20_000, 'customer dialed');
    await hangUpParty('Local/202@test-agents');
    const t0 = Date.now();
    const [row] = await closed(task.id, 20_000);
    expect(row).toMatchObject({ result: 'FAIL_USER_H_BEFORE_CLIENT_ANSWER', state: 'endCall', inDialState: 'ANSWER', outDialState: null });
    await until(async () => !(await channelsUp()).some((l) => l.includes('79040000403')), 5000, 'customer leg gone');
    expect(Date.now() - t0).toBeLessThan(5000); // not the 6 s ring timeout, let alone the customer's 60 s
  });

  it('an operator who is busy: FAIL_USER_NO_ANSWER with BUSY, the customer never dialed', async () => {
    const { task } = await addTask(env.db, { innerNum: '204', isCallback: 1 }, ['79040000507']); // 204 answers Busy()
    dialer.tasksChanged();
    const [row] = await closed(task.id, 30_000);
    expect(row).toMatchObject({ result: 'FAIL_USER_NO_ANSWER', state: 'endDial', inDialState: 'BUSY', outDialState: null });
    expect(dials('79040000507')).toBe(0);
  });
});
