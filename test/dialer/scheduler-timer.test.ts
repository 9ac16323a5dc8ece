import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createClock } from '../../src/clock.js';
import { createDialer } from '../../stasis/dialer/index.js';
import { Scheduler } from '../../stasis/dialer/scheduler.js';
import { FakeAri } from './fake-ari.js';
import { addTask, fakeSurvey } from './helpers.js';
import { freshEnv } from '../helpers/env.js';

const env = await freshEnv({ DIALER_TIME_SCALE: '1' });
afterAll(() => env.cleanup());

describe('scheduler timer', () => {
  it('stays idle when the only number is allowed more than 24.8 days ahead', async () => {
    const ari = new FakeAri(10);
    const passes = vi.spyOn(Scheduler.prototype, 'pass');
    const dialer = createDialer({ config: env.config, db: env.db, log: env.log, ari, clock: createClock(1), runSurvey: fakeSurvey(), simulator: true });
    const in30days = Math.floor(Date.now() / 1000) + 30 * 86_400;
    await addTask(env.db, { innerNumType: 'polling', innerNum: '1' }, [{ phone: '79000000007', timeCallAllow: in30days }]);
    await dialer.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(passes.mock.calls.length).toBeLessThan(10);
    expect(ari.originated).toHaveLength(0);
    passes.mockRestore();
    await dialer.stop();
  });
});

describe('scheduler pass', () => {
  it('starts following agent targets only after its transaction committed', async () => {
    const { AgentAvailability } = await import('../../stasis/dialer/agents.js');
    const inTx: boolean[] = [];
    // Marks the async context of every transaction's body (both dialects; nested ones join the outer one).
    const txBody = new AsyncLocalStorage<true>();
    const realTx = env.db.tx.bind(env.db);
    const txSpy = vi.spyOn(env.db, 'tx').mockImplementation((fn) => realTx((q) => txBody.run(true, () => fn(q))));
    const original = AgentAvailability.prototype.watch;
    const spy = vi.spyOn(AgentAvailability.prototype, 'watch').mockImplementation(function (this: InstanceType<typeof AgentAvailability>, t: string) {
      inTx.push(txBody.getStore() === true);
      return original.call(this, t);
    });
    const ari = new FakeAri(10);
    const dialer = createDialer({ config: env.config, db: env.db, log: env.log, ari, clock: createClock(1), runSurvey: fakeSurvey(), simulator: true });
    await addTask(env.db, { innerNum: '204' }, ['79000000507']); // 204 is busy: nothing is dialed
    await dialer.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(inTx.length).toBeGreaterThan(0);
    expect(inTx.every((x) => !x)).toBe(true);
    spy.mockRestore();
    await dialer.stop();
    txSpy.mockRestore();
  });
});
