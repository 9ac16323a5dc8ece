import { afterAll, describe, expect, it } from 'vitest';
import { createClock } from '../../src/clock.js';
import { claimAttempt } from '../../src/services/attempts/index.js';
import { createDialer } from '../../stasis/dialer/index.js';
import { FakeAri } from './fake-ari.js';
import { addTask, fakeSurvey, rowsOf, until } from './helpers.js';
import { freshEnv } from '../helpers/env.js';

const env = await freshEnv({ DIALER_TIME_SCALE: '0.01' });
afterAll(() => env.cleanup());

describe('restart reconciliation (in-memory ARI)', () => {
  it('adopts live calls, closes gone ones and never re-dials a number that left', async () => {
    const ari = new FakeAri(10);
    const deps = { config: env.config, db: env.db, log: env.log, ari, clock: createClock(0.01), simulator: true };
    const first = createDialer({ ...deps, runSurvey: fakeSurvey() });
    const ring = await addTask(env.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 2 }, ['79000000003', '79000000013']);
    const talk = await addTask(env.db, { innerNum: '201' }, ['79000000007']);
    const rows = [...ring.rows, ...talk.rows];
    const all = async () => [...(await rowsOf(env.db, ring.task.id)), ...(await rowsOf(env.db, talk.task.id))];
    // a row claimed by a process that died before sending its originate
    const orphan = await addTask(env.db, { innerNumType: 'polling', innerNum: '1' }, ['79000000022']);
    await claimAttempt(env.db, orphan.rows[0]!.id, 'dlr-never-sent', 1);
    await env.db.run('UPDATE task_results SET originatedAt = NULL WHERE id = ?', [orphan.rows[0]!.id]);

    // another application's channels on the same PBX, one with an id shaped like ours, one in its own Stasis app
    ari.channels.set('dlr-1-1-zzzzzz', { id: 'dlr-1-1-zzzzzz', name: 'Local/x@y-1;1', state: 'Up', timers: [] } as never);
    ari.channels.set('dlr-util-other', { id: 'dlr-util-other', name: 'Local/echo@dialer-misc-2;1', state: 'Down', timers: [], dialplan: { context: 'dialer-misc', exten: 'echo', priority: 1, app_name: 'Stasis', app_data: 'other-app' } } as never);

    await first.start();
    await until(() => ari.originated.filter((o) => o.endpoint.startsWith('Local/79')).length >= 4, 3000, 'calls started');
    await until(() => ari.originated.some((o) => o.endpoint.includes('@internal')), 3000, 'agent rung');
    first.halt();
    // one ringing call disappears while nobody watches
    const lost = (await all()).find((r) => r.phone === '79000000013')!;
    ari.remoteHangup(lost.callFile!);

    const second = createDialer({ ...deps, runSurvey: fakeSurvey() });
    await second.start();
    await until(async () => (await all()).every((r) => r.result !== ''), 5000, 'all recorded');
    const byPhone = Object.fromEntries((await all()).map((r) => [r.phone, r]));
    expect(byPhone['79000000003']).toMatchObject({ result: 'FAIL', outDialState: 'NOANSWER' }); // adopted, followed to its end
    expect(byPhone['79000000007']!.result).toMatch(/^(SUCCESS|FAIL)$/); // answered before the restart: hung up
    expect(byPhone['79000000013']).toMatchObject({ result: 'FAIL' });
    // nothing of the first task was originated twice
    const customerCalls = ari.originated.filter((o) => !o.endpoint.includes('@internal'));
    for (const r of rows) expect(customerCalls.filter((o) => o.endpoint.includes(r.phone))).toHaveLength(1);
    // the never-sent row was dialed (once) by the second dialer
    await until(async () => (await rowsOf(env.db, orphan.task.id))[0]!.result, 3000, 'orphan dialed');
    expect(ari.originated.filter((o) => o.endpoint.includes('79000000022'))).toHaveLength(1);
    // only the utility channel of the second dialer remains of ours (the first one's was ours: hung up); the
    // other application's channels are untouched
    const left = [...ari.channels.keys()];
    expect(left.filter((id) => !['dlr-1-1-zzzzzz', 'dlr-util-other'].includes(id)).length).toBeLessThanOrEqual(1);
    expect(left).toEqual(expect.arrayContaining(['dlr-1-1-zzzzzz', 'dlr-util-other']));
    await second.stop();
  });
});
