import { afterAll, describe, expect, it } from 'vitest';
import { createClock } from '../../src/clock.js';
import { createDialer } from '../../stasis/dialer/index.js';
import { FakeAri } from './fake-ari.js';
import { addTask, fakeSurvey, maxConcurrent, rowsOf, taskOf, until } from './helpers.js';
import { freshEnv } from '../helpers/env.js';

const env = await freshEnv({ DIALER_TIME_SCALE: '0.01', DIALER_QUEUES: '9000' });
afterAll(() => env.cleanup());

function setup() {
  const ari = new FakeAri(10);
  const survey = fakeSurvey();
  const dialer = createDialer({ config: env.config, db: env.db, log: env.log, ari, clock: createClock(0.01), runSurvey: survey, simulator: true });
  return { ari, dialer, survey };
}

describe('call flows against an in-memory ARI', () => {
  it('records the outcome of each customer behaviour for an extension task', async () => {
    const { dialer } = setup();
    const { task } = await addTask(env.db, { innerNum: '201', maxCountChannels: 1 }, ['79000000002', '79000000003', '79000000004', '79000000005', '79000000007', '79000000008', 'abc']);
    await dialer.start();
    await until(async () => (await taskOf(env.db, task.id)).state === 1, 15_000, 'task closed');
    const rows = await rowsOf(env.db, task.id);
    expect(rows.map((r) => [r.phone, r.result, r.outDialState, r.hangupCause])).toEqual([
      ['79000000002', 'FAIL', 'BUSY', 17],
      ['79000000003', 'FAIL', 'NOANSWER', 19],
      ['79000000004', 'FAIL', 'CONGESTION', 34],
      ['79000000005', 'FAIL_CLIENT_H_BEFORE_ANSWER', 'ANSWER', 16],
      ['79000000007', 'SUCCESS_CLIENT_H', 'ANSWER', 16],
      ['79000000008', 'FAIL', 'NOANSWER', 1],
      ['abc', 'FAIL_ROUTE', null, 0],
    ]);
    // the call's linkedid is the id the dialer gave its channel (as on Asterisk), not read back
    const talked = rows.find((r) => r.phone === '79000000007')!;
    expect(talked).toMatchObject({ inDialState: 'ANSWER', linkedId: talked.callFile });
    await dialer.stop();
  });

  it('dials an extension task only while its agent is free, and re-checks the agent on answer', async () => {
    const { ari, dialer } = setup();
    const { task } = await addTask(env.db, { innerNum: '204' }, ['79000000017']);
    await dialer.start();
    await new Promise((r) => setTimeout(r, 200));
    expect((await rowsOf(env.db, task.id))[0]!.state).toBe('CreateTask'); // 204 is BUSY: nothing dialed
    ari.setAgent('204', false);
    await until(() => ari.originated.some((o) => o.endpoint.startsWith('Local/79000000017')), 2000, 'customer dialed');
    ari.agentBusy.add('204'); // busy again by the time the customer answers
    await until(async () => (await rowsOf(env.db, task.id))[0]!.result, 5000);
    expect((await rowsOf(env.db, task.id))[0]).toMatchObject({ result: 'FAIL_USER_BUSY', state: 'allUserBusy', outDialState: 'ANSWER' });
    expect(ari.originated.some((o) => o.endpoint.includes('@internal'))).toBe(false);
    await dialer.stop();
  });

  it('records FAIL_USER_NO_ANSWER when the agent leg fails', async () => {
    const { ari, dialer } = setup();
    ari.agentRejects.add('205');
    const { task } = await addTask(env.db, { innerNum: '205' }, ['79000000027']);
    await dialer.start();
    await until(async () => (await rowsOf(env.db, task.id))[0]!.result, 5000);
    expect((await rowsOf(env.db, task.id))[0]).toMatchObject({ result: 'FAIL_USER_NO_ANSWER', inDialState: 'BUSY', state: 'endDial' });
    await dialer.stop();
  });

  it('hands answered polling calls to the survey and retries failures', async () => {
    const { dialer, survey } = setup();
    const { task } = await addTask(env.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 2, maxAttempt: 2, tryInterval: 10 }, ['79000000007', '79000000002']);
    await dialer.start();
    await until(async () => (await taskOf(env.db, task.id)).state === 1, 10_000, 'task closed');
    const rows = await rowsOf(env.db, task.id);
    expect(survey.calls).toBe(1);
    expect(rows.map((r) => [r.phone, r.attemptNumber, r.result])).toEqual([
      ['79000000007', 1, 'SUCCESS_POLLING'],
      ['79000000002', 1, 'FAIL'],
      ['79000000002', 2, 'FAIL'],
    ]);
    await dialer.stop();
  });

  it('puts a number back when the originate provably never left', async () => {
    const { ari, dialer } = setup();
    ari.refuse = true;
    const { task } = await addTask(env.db, { innerNumType: 'polling', innerNum: '1' }, ['79000000005']);
    await dialer.start();
    await new Promise((r) => setTimeout(r, 100));
    expect((await rowsOf(env.db, task.id))[0]).toMatchObject({ state: 'CreateTask', result: '', originatedAt: null });
    ari.refuse = false;
    dialer.tasksChanged();
    await until(async () => (await rowsOf(env.db, task.id))[0]!.result, 5000);
    await dialer.stop();
  });

  it('never re-dials an originate whose answer was lost, but retries one Asterisk refused', async () => {
    const { ari, dialer } = setup();
    ari.failWith = 0;
    const lost = await addTask(env.db, { innerNumType: 'polling', innerNum: '1', maxAttempt: 3, tryInterval: 1 }, ['79000000905']);
    await dialer.start();
    await until(async () => (await rowsOf(env.db, lost.task.id))[0]!.result, 3000);
    expect(await rowsOf(env.db, lost.task.id)).toMatchObject([{ result: 'FAIL', state: 'failedOriginate' }]);
    ari.failWith = 500;
    const refused = await addTask(env.db, { innerNumType: 'polling', innerNum: '1', maxAttempt: 2, tryInterval: 1 }, ['79000000915']);
    dialer.tasksChanged();
    // 500 "Allocation failed" is also what Asterisk answers while it shuts down: each attempt is put back twice
    // (dialing pauses 1 s each time) and closed as FAIL_ROUTE when it comes back a third time
    await until(async () => (await taskOf(env.db, refused.task.id)).state === 1, 15_000);
    expect((await rowsOf(env.db, refused.task.id)).map((r) => [r.attemptNumber, r.result, r.state])).toEqual([
      [1, 'FAIL_ROUTE', 'failedOriginate'], // the route never ran
      [2, 'FAIL_ROUTE', 'failedOriginate'],
    ]);
    expect(ari.originated.filter((o) => o.endpoint.includes('79000000915'))).toHaveLength(6);
    await dialer.stop();
  });

  it('follows a call whose originate answer was lost when Asterisk is too slow to say whether it exists', async () => {
    const { ari, dialer } = setup();
    ari.loseAnswerOf.add('customer');
    ari.failGetChannel = true;
    const { task } = await addTask(env.db, { innerNumType: 'polling', innerNum: '1' }, ['79000000927']);
    await dialer.start();
    await until(async () => (await rowsOf(env.db, task.id))[0]!.result, 3000, 'recorded');
    expect((await rowsOf(env.db, task.id))[0]).toMatchObject({ result: 'SUCCESS_POLLING' });
    await dialer.stop();
  });

  it('does not start another call for a busy extension because a bridged call stopped counting as pending', async () => {
    const { ari, dialer } = setup();
    ari.deviceEventDelayMs = 150; // the agent's RINGING/INUSE arrives well after the bridge
    const nums = ['79000001007', '79000001017', '79000001027'];
    const { task } = await addTask(env.db, { innerNum: '203', maxCountChannels: 3 }, nums);
    await dialer.start();
    await until(async () => (await taskOf(env.db, task.id)).state === 1, 10_000, 'task closed');
    const calls = ari.originated.filter((o) => nums.some((n) => o.endpoint.includes(n)));
    expect(maxConcurrent(calls.map((c) => ({ startedAt: c.at, endedAt: c.endedAt })))).toBe(1);
    expect((await rowsOf(env.db, task.id)).map((r) => r.result)).toEqual(Array(3).fill('SUCCESS_CLIENT_H'));
    await dialer.stop();
  });

  it('keeps dialing when the agent hangs up while a read of its state is still on the way', async () => {
    const { ari, dialer } = setup();
    ari.agentTalkUnits.set('206', 2); // the agent hangs up 20 ms after answering ...
    ari.varDelayMs = 60; // ... while the read started at bridging is still on its way
    const { task } = await addTask(env.db, { innerNum: '206', maxCountChannels: 1 }, ['79000002007', '79000002017', '79000002027']);
    await dialer.start();
    await until(async () => (await taskOf(env.db, task.id)).state === 1, 4000, 'all three called (safety tick is 5 s)');
    expect((await rowsOf(env.db, task.id)).map((r) => r.result)).toEqual(Array(3).fill('SUCCESS_USER_H'));
    await dialer.stop();
  });
});

describe('agent leg failures against an in-memory ARI', () => {
  it('keeps following an agent originate whose answer was lost, and bridges when the agent picks up', async () => {
    const { ari, dialer } = setup();
    ari.loseAnswerOf.add('agent');
    const { task } = await addTask(env.db, { innerNum: '201' }, ['79000000307']);
    await dialer.start();
    await until(async () => (await rowsOf(env.db, task.id))[0]!.result, 5000, 'recorded');
    expect((await rowsOf(env.db, task.id))[0]).toMatchObject({ result: 'SUCCESS_CLIENT_H', inDialState: 'ANSWER' });
    await until(() => ari.busyAgents() === 0, 2000, 'agent leg gone');
    await dialer.stop();
  });

  it('hangs up both legs and records FAIL_USER_NO_ANSWER when the bridge cannot be made', async () => {
    const { ari, dialer } = setup();
    ari.failBridgeWith = 500;
    const { task } = await addTask(env.db, { innerNum: '201' }, ['79000000317']);
    await dialer.start();
    await until(async () => (await rowsOf(env.db, task.id))[0]!.result, 5000, 'recorded');
    expect((await rowsOf(env.db, task.id))[0]).toMatchObject({ result: 'FAIL_USER_NO_ANSWER', state: 'endDial' });
    expect([...ari.channels.values()].filter((c) => c.name !== 'util')).toHaveLength(0); // both legs hung up
    await dialer.stop();
  });

  it('does not hang up an answered customer as FAIL_USER_BUSY because reading the agent state failed', async () => {
    const { ari, dialer } = setup();
    ari.failReadsOn = (id) => id.startsWith('dlr-') && !id.startsWith('dlr-util');
    const { task } = await addTask(env.db, { innerNum: '201' }, ['79000000327']);
    await dialer.start();
    await until(async () => (await rowsOf(env.db, task.id))[0]!.result, 5000, 'recorded');
    expect((await rowsOf(env.db, task.id))[0]).toMatchObject({ result: 'SUCCESS_CLIENT_H', inDialState: 'ANSWER' });
    await dialer.stop();
  });

  it('hangs up the customer and records FAIL when a call flow throws', async () => {
    const ari = new FakeAri(10);
    const broken = (async () => null) as unknown as Parameters<typeof createDialer>[0]['runSurvey'];
    const dialer = createDialer({ config: env.config, db: env.db, log: env.log, ari, clock: createClock(0.01), runSurvey: broken, simulator: true });
    const { task } = await addTask(env.db, { innerNumType: 'polling', innerNum: '1', maxAttempt: 1 }, ['79000000337']);
    await dialer.start();
    await until(async () => (await rowsOf(env.db, task.id))[0]!.result, 3000, 'recorded');
    expect((await rowsOf(env.db, task.id))[0]).toMatchObject({ result: 'FAIL', cause: 'internal error' });
    // the customer (who would stay 630 ms) is hung up at once
    await until(() => ![...ari.channels.values()].some((c) => c.name.startsWith('customer')), 200, 'customer hung up');
    await dialer.stop();
  });
});
