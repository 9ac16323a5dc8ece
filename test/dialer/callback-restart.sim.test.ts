import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock } from '../../src/clock.js';
import { connectAri } from '../../stasis/ari/ari-client-port.js';
import type { AriPort } from '../../stasis/ari/port.js';
import { createDialer, type Dialer } from '../../stasis/dialer/index.js';
import { addTask, fakeSurvey, rowsOf, taskOf, until } from './helpers.js';
import { SCALE, simSuite } from './sim-harness.js';

/**
 * A dialer that crashes (halt: nothing hung up, nothing recorded) in each phase of a callback, and the one that
 * starts after it: the customer is never dialed twice, the row gets a result, no leg is left on the line.
 */
let s: Awaited<ReturnType<typeof simSuite>>;
const running: { ari: AriPort; dialer: Dialer }[] = [];
beforeAll(async () => {
  // a ringing operator leg outlives the test unless something hangs it up (600 s scaled = 12 s)
  s = await simSuite({ DIALER_AGENT_RING_TIMEOUT_SECONDS: '600' });
});
afterAll(async () => {
  for (const r of running) {
    await r.dialer.stop().catch(() => {});
    await r.ari.close();
  }
  await s.cleanup();
});

async function startDialer() {
  const ari = await connectAri({ url: s.sim.url, username: s.sim.username, password: s.sim.password, app: s.config.ari.app, log: s.log });
  const dialer = createDialer({ config: s.config, db: s.db, log: s.log, ari, clock: createClock(SCALE), runSurvey: fakeSurvey(), simulator: true });
  running.push({ ari, dialer });
  await dialer.start();
  return { ari, dialer };
}

async function crash(d: { ari: AriPort; dialer: Dialer }) {
  d.dialer.halt();
  await d.ari.close();
  running.splice(running.indexOf(d), 1);
}

const calls = (endpointPart: string) => s.sim.world.callLog.filter((c) => c.endpoint.includes(endpointPart));
const ourLegsUp = () => s.sim.world.channels().filter((c) => String(c.id).startsWith('dlr-') && !String(c.id).startsWith('dlr-util-'));

describe('callback mode across a crash or a stop of the dialer', () => {
  it('while the operator rings: the operator leg is hung up, the number is ready again and dialed once', async () => {
    s.sim.world.setAgent('203', { answerAfterMs: 0, noAnswer: true });
    s.sim.world.setCustomer('79200000007', { kind: 'answer', answerAfterMs: 500, hangupAfterMs: 3000 });
    const t = await addTask(s.db, { innerNum: '203', isCallback: 1 }, ['79200000007']);
    const first = await startDialer();
    await until(() => calls('Local/203@internal').length === 1, 5000, 'operator ringing');
    await crash(first);
    expect((await rowsOf(s.db, t.task.id))[0]).toMatchObject({ state: 'CreateCallFile', originatedAt: null, result: '' });

    s.sim.world.setAgent('203', { answerAfterMs: 500, noAnswer: false });
    const second = await startDialer();
    await until(() => calls('Local/203@internal')[0]!.endedAt, 3000, 'the ringing operator leg hung up');
    await until(async () => (await taskOf(s.db, t.task.id)).state === 1, 10_000, 'task closed');
    const rows = await rowsOf(s.db, t.task.id);
    expect(rows.map((r) => [r.attemptNumber, r.result])).toEqual([[1, 'SUCCESS']]);
    const [ringing, rungAgain] = calls('Local/203@internal');
    expect(ringing!.answeredAt).toBeUndefined();
    expect(ringing!.endedAt).toBeDefined();
    expect(rungAgain!.answeredAt).toBeDefined();
    expect(calls('79200000007@')).toHaveLength(1);
    await until(() => ourLegsUp().length === 0, 3000, 'no leg left up');
    await second.dialer.stop();
  });

  it('while the customer rings: the customer is hung up and recorded, never dialed twice', async () => {
    s.sim.world.setAgent('201', { answerAfterMs: 500, hangupAfterMs: 600_000 });
    s.sim.world.setCustomer('79200000103', { kind: 'noAnswer', ringForeverMs: 60_000 });
    const t = await addTask(s.db, { innerNum: '201', isCallback: 1, maxAttempt: 1 }, ['79200000103']);
    const first = await startDialer();
    await until(() => calls('79200000103@').length === 1, 5000, 'customer ringing');
    await crash(first);

    const second = await startDialer();
    await until(async () => (await rowsOf(s.db, t.task.id))[0]!.result, 5000, 'row recorded');
    expect((await rowsOf(s.db, t.task.id))[0]).toMatchObject({ result: 'FAIL', state: 'endCall', cause: 'hung up after restart' });
    await until(() => ourLegsUp().length === 0, 3000, 'operator and customer legs hung up');
    expect(calls('79200000103@')).toHaveLength(1);
    expect(calls('79200000103@')[0]!.endedAt! - calls('79200000103@')[0]!.startedAt).toBeLessThan(45_000 * SCALE * 3);
    await second.dialer.stop();
  });

  it('while they talk: SUCCESS, both legs hung up', async () => {
    s.sim.world.setAgent('202', { answerAfterMs: 500, hangupAfterMs: 600_000 });
    s.sim.world.setCustomer('79200000207', { kind: 'answer', answerAfterMs: 500, hangupAfterMs: 600_000 });
    const t = await addTask(s.db, { innerNum: '202', isCallback: 1 }, ['79200000207']);
    const first = await startDialer();
    await until(async () => (await rowsOf(s.db, t.task.id))[0]!.outDialState === 'ANSWER', 5000, 'talking');
    await crash(first);

    const second = await startDialer();
    await until(async () => (await rowsOf(s.db, t.task.id))[0]!.result, 5000, 'row recorded');
    expect((await rowsOf(s.db, t.task.id))[0]).toMatchObject({ result: 'SUCCESS', inDialState: 'ANSWER', outDialState: 'ANSWER' });
    await until(() => ourLegsUp().length === 0, 3000, 'both legs hung up');
    expect(calls('79200000207@')).toHaveLength(1);
    await second.dialer.stop();
  });
  it('a graceful stop hangs up at the deadline: talking → SUCCESS, operator still ringing → the number is ready again', async () => {
    s.sim.world.setAgent('201', { answerAfterMs: 500, hangupAfterMs: 600_000 });
    s.sim.world.setAgent('203', { answerAfterMs: 0, noAnswer: true });
    s.sim.world.setCustomer('79200000307', { kind: 'answer', answerAfterMs: 500, hangupAfterMs: 600_000 });
    const talking = await addTask(s.db, { innerNum: '201', isCallback: 1 }, ['79200000307']);
    const ringing = await addTask(s.db, { innerNum: '203', isCallback: 1 }, ['79200000317']);
    const d = await startDialer();
    await until(async () => (await rowsOf(s.db, talking.task.id))[0]!.outDialState === 'ANSWER', 5000, 'talking');
    await until(() => calls('Local/203@internal').some((c) => !c.endedAt), 5000, 'operator ringing');
    await d.dialer.stop(); // deadline 30 s scaled
    expect((await rowsOf(s.db, talking.task.id))[0]).toMatchObject({ result: 'SUCCESS', state: 'endCall' });
    expect((await rowsOf(s.db, ringing.task.id)).map((r) => [r.state, r.result])).toEqual([['CreateTask', '']]);
    expect(calls('79200000317@')).toHaveLength(0);
    expect(ourLegsUp()).toEqual([]);
    s.sim.world.setAgent('203', { answerAfterMs: 3000, noAnswer: false });
  });
});
