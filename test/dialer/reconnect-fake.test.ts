import { afterAll, describe, expect, it } from 'vitest';
import { createClock } from '../../src/clock.js';
import { createDialer } from '../../stasis/dialer/index.js';
import { FakeAri } from './fake-ari.js';
import { addTask, fakeSurvey, rowsOf, until } from './helpers.js';
import { freshEnv } from '../helpers/env.js';

const env = await freshEnv({ DIALER_TIME_SCALE: '0.01' });
afterAll(() => env.cleanup());

function setup() {
  const ari = new FakeAri(10);
  const dialer = createDialer({ config: env.config, db: env.db, log: env.log, ari, clock: createClock(0.01), runSurvey: fakeSurvey(), simulator: true });
  return { ari, dialer };
}
const customerCalls = (ari: FakeAri, phone: string) => ari.originated.filter((o) => o.endpoint.startsWith(`Local/${phone}`));

describe('a short loss of the ARI event socket', () => {
  it('does not end a call whose originate is still in flight during the reconnect', async () => {
    const { ari, dialer } = setup();
    ari.originateDelayMs = 150;
    const { task } = await addTask(env.db, { innerNum: '201' }, ['79000000107']);
    await dialer.start();
    await until(async () => (await rowsOf(env.db, task.id))[0]!.originatedAt, 2000, 'originate sent');
    ari.setConnection('disconnected');
    ari.setConnection('connected'); // reconcile lists channels while the originate is still on its way
    await until(async () => (await rowsOf(env.db, task.id))[0]!.result, 5000, 'recorded');
    expect((await rowsOf(env.db, task.id))[0]).toMatchObject({ result: 'SUCCESS_CLIENT_H', inDialState: 'ANSWER' });
    expect(customerCalls(ari, '79000000107')).toHaveLength(1);
    expect(await rowsOf(env.db, task.id)).toHaveLength(1); // no retry row
    await dialer.stop();
  });

  it('resumes a call answered while the socket was down instead of leaving the customer in silence', async () => {
    const { ari, dialer } = setup();
    const { task } = await addTask(env.db, { innerNum: '201' }, ['79000000117']);
    await dialer.start();
    await until(() => customerCalls(ari, '79000000117').length, 2000, 'customer dialed');
    ari.setConnection('disconnected');
    await until(() => [...ari.channels.values()].some((c) => c.state === 'Up'), 2000, 'answered'); // StasisStart lost
    ari.setConnection('connected');
    await until(() => ari.originated.some((o) => o.endpoint.includes('@internal')), 3000, 'agent rung'); // without the resumed StasisStart the ring guard (750 ms here) hangs up instead
    await until(async () => (await rowsOf(env.db, task.id))[0]!.result, 5000, 'recorded');
    expect((await rowsOf(env.db, task.id))[0]).toMatchObject({ result: 'SUCCESS_CLIENT_H', inDialState: 'ANSWER' });
    await dialer.stop();
  });

  it('does not send an originate that waited for a slot while ARI was disconnected; the number is dialed later', async () => {
    const { ari, dialer } = setup();
    ari.originateDelayMs = 300;
    const uniq = Array.from({ length: 33 }, (_, i) => `7900001${String(i).padStart(3, '0')}3`);
    const { task } = await addTask(env.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 40 }, uniq);
    await dialer.start();
    await until(async () => (await rowsOf(env.db, task.id)).filter((r) => r.originatedAt).length >= 32, 2000, '32 sent');
    const waiting = (await rowsOf(env.db, task.id)).find((r) => r.callFile && !r.originatedAt)!;
    expect(waiting).toBeDefined();
    ari.setConnection('disconnected');
    await new Promise((r) => setTimeout(r, 500)); // the slots free up while disconnected
    expect(ari.originated.filter((o) => o.id === waiting.callFile)).toHaveLength(0);
    expect((await rowsOf(env.db, task.id)).find((r) => r.id === waiting.id)).toMatchObject({ result: '', originatedAt: null });
    ari.setConnection('connected');
    await until(() => ari.originated.some((o) => o.endpoint.startsWith(`Local/${waiting.phone}`)), 3000, 'dialed after reconnect');
    await dialer.stop();
  });
});
