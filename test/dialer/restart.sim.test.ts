import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimAttempt } from '../../src/services/attempts/index.js';
import { connectAri } from '../../stasis/ari/ari-client-port.js';
import { startSimulator } from '../../sim/index.js';
import { addTask, fakeSurvey, rowsOf, until } from './helpers.js';
import { simSuite, SCALE, tcpProxy } from './sim-harness.js';
import { createDialer } from '../../stasis/dialer/index.js';
import { createClock } from '../../src/clock.js';

let s: Awaited<ReturnType<typeof simSuite>>;
beforeAll(async () => {
  s = await simSuite();
});
afterAll(() => s.cleanup());

const customerCalls = (n: string) => s.sim.world.callLog.filter((c) => c.number === n && !c.endpoint.includes('@internal'));

describe('restart reconciliation against the simulator', () => {
  it('adopts calls still alive, records gone ones, re-dials only what never left', async () => {
    s.sim.world.setCustomer('79008000003', { kind: 'noAnswer', ringForeverMs: 60_000 });
    s.sim.world.setCustomer('79008000013', { kind: 'noAnswer', ringForeverMs: 60_000 });
    s.sim.world.setAgent('201', { answerAfterMs: 500, hangupAfterMs: 600_000 });
    const ring = await addTask(s.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 2 }, ['79008000003', '79008000013']);
    const talk = await addTask(s.db, { innerNum: '201' }, ['79008000007']);
    const never = await addTask(s.db, { innerNumType: 'polling', innerNum: '1' }, ['79008000021']);
    // claimed by the dead process, but its originate was never sent
    await claimAttempt(s.db, never.rows[0]!.id, 'dlr-never-sent', 1);
    await s.db.run('UPDATE task_results SET originatedAt = NULL WHERE id = ?', [never.rows[0]!.id]);

    const first = await s.dialer(fakeSurvey());
    first.dialer.tasksChanged();
    await until(() => customerCalls('79008000003').length && customerCalls('79008000013').length, 3000, 'ringing calls');
    await until(async () => (await rowsOf(s.db, talk.task.id))[0]!.inDialState === 'ANSWER', 5000, 'talking to agent');
    first.dialer.halt(); // crash: nothing recorded, nothing hung up
    await first.ari.close();
    const crashedUtilities = s.sim.world.channels().map((c) => String(c.id)).filter((id) => id.startsWith('dlr-util-') && !id.includes(';'));
    expect(crashedUtilities).toHaveLength(1);
    // one ringing call ends while no dialer runs
    const lost = (await rowsOf(s.db, ring.task.id))[1]!;
    expect(lost.result).toBe('');
    await fetch(`${s.sim.url}/ari/channels/${lost.callFile}`, {
      method: 'DELETE',
      headers: { authorization: 'Basic ' + Buffer.from(`${s.sim.username}:${s.sim.password}`).toString('base64') },
    });

    const second = await s.dialer(fakeSurvey());
    await until(async () => (await rowsOf(s.db, talk.task.id))[0]!.result, 3000, 'answered call recorded');
    expect((await rowsOf(s.db, talk.task.id))[0]).toMatchObject({ result: 'SUCCESS', inDialState: 'ANSWER' });
    expect((await rowsOf(s.db, ring.task.id))[1]).toMatchObject({ result: 'FAIL' });
    // the adopted ringing call is followed to its end (ring timeout 45 s scaled)
    await until(async () => (await rowsOf(s.db, ring.task.id))[0]!.result, 5000, 'adopted call recorded');
    expect((await rowsOf(s.db, ring.task.id))[0]).toMatchObject({ result: 'FAIL', outDialState: 'NOANSWER', hangupCause: 19 });
    await until(async () => (await rowsOf(s.db, never.task.id))[0]!.result, 3000, 'never-sent number dialed');

    for (const n of ['79008000003', '79008000013', '79008000007', '79008000021']) expect([n, customerCalls(n).length]).toEqual([n, 1]);
    expect(s.sim.world.duplicateChannelIds()).toEqual([]);
    // nothing of ours is left up but the utility channel
    await until(() => s.sim.world.channels().filter((c) => String(c.id).startsWith('dlr-') && !String(c.id).startsWith('dlr-util-')).length === 0, 3000, 'no leftovers');
    // The crashed dialer's utility channel was hung up. The new dialer has one only if a pass of its scheduler
    // saw the agent task open before the adopted call closed it (a race: PostgreSQL's round trips often lose it).
    const utilities = s.sim.world.channels().map((c) => String(c.id)).filter((id) => id.startsWith('dlr-util-') && !id.includes(';'));
    expect(utilities.filter((id) => crashedUtilities.includes(id))).toEqual([]);
    expect(utilities.length).toBeLessThanOrEqual(1);
    await second.dialer.stop();
  });

  it('graceful stop: no new calls, hangs up at the deadline, records everything', async () => {
    const { dialer } = await s.dialer(fakeSurvey({ result: 'SUCCESS_POLLING' }, 600_000));
    for (const n of ['79009000001', '79009000011']) s.sim.world.setCustomer(n, { kind: 'answer', hangupAfterMs: 600_000 });
    const t = await addTask(s.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 2 }, ['79009000001', '79009000011', '79009000021']);
    dialer.tasksChanged();
    await until(async () => (await rowsOf(s.db, t.task.id)).filter((r) => r.state === 'EVENT_POLLING').length === 2, 3000, 'two in survey');
    const t0 = Date.now();
    await dialer.stop(); // deadline 30 s scaled = 0.6 s
    expect(Date.now() - t0).toBeGreaterThanOrEqual(30_000 * SCALE - 50);
    const rows = await rowsOf(s.db, t.task.id);
    expect(rows.filter((r) => r.result === 'FAIL_POLLING')).toHaveLength(2);
    expect(rows[2]).toMatchObject({ state: 'CreateTask', result: '' });
    expect(s.sim.world.channels().filter((c) => String(c.id).startsWith('dlr-'))).toHaveLength(0);
    expect(dialer.status()).toMatchObject({ callsInFlight: 0, draining: true });
  });
});

describe('ARI going away and coming back', () => {
  it('reconnects by itself and records the calls that vanished with the old Asterisk', async () => {
    const sim1 = await startSimulator({ port: 0, timeScale: SCALE, seed: 2 });
    const sim2 = await startSimulator({ port: 0, timeScale: SCALE, seed: 3 });
    const proxy = await tcpProxy(sim1.url);
    const ari = await connectAri({ url: proxy.url, username: sim1.username, password: sim1.password, app: 'reconnect', log: s.log });
    const states: string[] = [];
    ari.onConnection((st) => states.push(st));
    const dialer = createDialer({ config: s.config, db: s.db, log: s.log, ari, clock: createClock(SCALE), runSurvey: fakeSurvey(), simulator: true });
    try {
      await dialer.start();
      sim1.world.setCustomer('79010000003', { kind: 'noAnswer', ringForeverMs: 600_000 });
      const t = await addTask(s.db, { innerNumType: 'polling', innerNum: '1' }, ['79010000003', '79010000013']);
      dialer.tasksChanged();
      await until(() => sim1.world.callLog.some((c) => c.number === '79010000003'), 3000, 'ringing');
      await proxy.down(); // Asterisk goes away with the call
      await until(() => states.includes('disconnected'), 5000, 'disconnected');
      expect(dialer.status().ari).toBe('disconnected');
      await proxy.up(sim2.url); // ... and comes back, restarted: the call is gone
      await until(() => states.at(-1) === 'connected', 15_000, 'reconnected');
      expect(dialer.status().ari).toBe('connected');
      await until(async () => (await rowsOf(s.db, t.task.id)).every((r) => r.result), 5000, 'recorded');
      const rows = await rowsOf(s.db, t.task.id);
      expect(rows[0]!.result).toBe('FAIL'); // vanished with the old Asterisk
      expect(sim2.world.callLog.filter((c) => c.number === '79010000003')).toHaveLength(0); // never re-dialed
      expect(sim2.world.callLog.filter((c) => c.number === '79010000013')).toHaveLength(1);
    } finally {
      await dialer.stop();
      await ari.close();
      await proxy.close();
      await Promise.race([Promise.all([sim1.stop(), sim2.stop()]), new Promise((r) => setTimeout(r, 1000))]);
    }
  });
});
