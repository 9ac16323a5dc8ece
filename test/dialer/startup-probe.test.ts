import { afterAll, describe, expect, it } from 'vitest';
import { createClock } from '../../src/clock.js';
import { createDialer } from '../../stasis/dialer/index.js';
import { FakeAri } from './fake-ari.js';
import { addTask, fakeSurvey, rowsOf, until } from './helpers.js';
import { freshEnv } from '../helpers/env.js';

const env = await freshEnv({ DIALER_TIME_SCALE: '0.01', DIALER_SAFETY_TICK_SECONDS: '0.05' });
afterAll(() => env.cleanup());

describe('start-up while Asterisk does not answer yet', () => {
  it('starts dialing once Asterisk answers, without waiting for a socket drop', async () => {
    const ari = new FakeAri(10);
    ari.failListChannels = 1; // the first probe gets no answer
    const dialer = createDialer({ config: env.config, db: env.db, log: env.log, ari, clock: createClock(0.01), runSurvey: fakeSurvey(), simulator: true });
    const { task } = await addTask(env.db, { innerNumType: 'polling', innerNum: '1' }, ['79000000403']);
    await dialer.start();
    expect(dialer.status().ari).toBe('disconnected');
    await until(async () => (await rowsOf(env.db, task.id))[0]!.originatedAt, 2000, 'number dialed');
    expect(dialer.status().ari).toBe('connected');
    await dialer.stop();
  });
});
