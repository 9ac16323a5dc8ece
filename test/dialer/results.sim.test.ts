import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTask, fakeSurvey, rowsOf, taskOf, until } from './helpers.js';
import { simSuite } from './sim-harness.js';

let s: Awaited<ReturnType<typeof simSuite>>;
beforeAll(async () => {
  s = await simSuite();
  await s.dialer(
    fakeSurvey((phone) =>
      phone.endsWith('11') ? { result: 'FAIL_POLLING', reason: 'no-input' } : phone.endsWith('21') ? { result: 'SUCCESS_POLLING', dial: '201' } : { result: 'SUCCESS_POLLING' },
    ),
  );
});
afterAll(() => s.cleanup());

const closed = (taskId: number, ms = 15_000) => until(async () => (await taskOf(s.db, taskId)).state === 1, ms, `task ${taskId} closed`);
const only = async (taskId: number) => (await rowsOf(s.db, taskId))[0]!;

describe('result codes against the simulator (real ari-client)', () => {
  it('classifies every unanswered customer behaviour through the PBX route', async () => {
    const { task } = await addTask(s.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 6, dialPrefix: '0' }, [
      '79000000002', '79000000003', '79000000004', '79000000008', '79000000022', '79000000012',
    ]);
    s.sim.world.setCustomer('79000000012', { kind: 'providerDown' });
    s.sim.world.setCustomer('79000000022', { kind: 'noRoute' });
    await closed(task.id);
    const rows = await rowsOf(s.db, task.id);
    expect(rows.map((r) => [r.phone, r.result, r.outDialState, r.hangupCause, r.state])).toEqual([
      ['79000000002', 'FAIL', 'BUSY', 17, 'endCall'],
      ['79000000003', 'FAIL', 'NOANSWER', 19, 'endCall'],
      ['79000000004', 'FAIL', 'CONGESTION', 34, 'endCall'],
      ['79000000008', 'FAIL', 'NOANSWER', 1, 'endCall'],
      ['79000000022', 'FAIL_ROUTE', null, 0, 'endCall'],
      ['79000000012', 'FAIL_PROVIDER', 'CHANUNAVAIL', 38, 'endCall'],
    ]);
    for (const r of rows) {
      expect(r.callFile).toMatch(/^dlr-\d+-1-/);
      expect(r.closeTime).toBeGreaterThan(0);
      expect(r.changeTime).toBe(r.closeTime);
    }
  });

  it('records SUCCESS_CLIENT_H and SUCCESS_USER_H by who hung up first, with the call ids', async () => {
    s.sim.world.setCustomer('79000000107', { kind: 'answer', ringing: true, answerAfterMs: 1000, hangupAfterMs: 15_000 });
    s.sim.world.setCustomer('79000000117', { kind: 'answer', ringing: true, answerAfterMs: 1000, hangupAfterMs: 60_000 });
    s.sim.world.setAgent('202', { answerAfterMs: 1000, hangupAfterMs: 60_000 });
    s.sim.world.setAgent('203', { answerAfterMs: 1000, hangupAfterMs: 10_000 });
    const a = await addTask(s.db, { innerNum: '202' }, ['79000000107']);
    const b = await addTask(s.db, { innerNum: '203' }, ['79000000117']);
    await closed(a.task.id);
    await closed(b.task.id);
    expect(await only(a.task.id)).toMatchObject({ result: 'SUCCESS_CLIENT_H', outDialState: 'ANSWER', inDialState: 'ANSWER', state: 'endCall' });
    expect(await only(b.task.id)).toMatchObject({ result: 'SUCCESS_USER_H', inDialState: 'ANSWER' });
    expect((await only(a.task.id)).linkedId).toBeTruthy();
    expect((await only(a.task.id)).verboseCallId).toBeTruthy();
    // the agent saw the customer's number
    const agentCall = s.sim.world.callLog.find((c) => c.endpoint === 'Local/202@internal');
    expect(agentCall).toBeDefined();
  });

  it('records FAIL_USER_NO_ANSWER when the agent does not answer or is busy', async () => {
    const busy = await addTask(s.db, { innerNum: '204' }, ['79000000207']); // 204 looks free but answers Busy
    await closed(busy.task.id);
    expect(await only(busy.task.id)).toMatchObject({ result: 'FAIL_USER_NO_ANSWER', inDialState: 'BUSY', state: 'endDial' });
  });

  it('records FAIL_USER_BUSY and hangs up the customer when the agent got busy meanwhile', async () => {
    s.sim.world.setAgent('201', { offline: false });
    const t = await addTask(s.db, { innerNum: '201' }, ['79000000307']);
    await until(() => s.sim.world.callLog.some((c) => c.number === '79000000307'), 5000, 'customer dialed');
    s.sim.world.setAgent('201', { offline: true }); // the phone goes unavailable while the customer rings
    await closed(t.task.id);
    s.sim.world.setAgent('201', { offline: false });
    expect(await only(t.task.id)).toMatchObject({ result: 'FAIL_USER_BUSY', state: 'allUserBusy', outDialState: 'ANSWER' });
    const log = s.sim.world.callLog.find((c) => c.number === '79000000307')!;
    expect(log.endedAt).toBeDefined();
  });

  it('records FAIL_CLIENT_H_BEFORE_ANSWER when the customer leaves while the agent rings', async () => {
    s.sim.world.setAgent('202', { answerAfterMs: 20_000 });
    s.sim.world.setCustomer('79000000407', { kind: 'answer', answerAfterMs: 500, hangupAfterMs: 2000 });
    const t = await addTask(s.db, { innerNum: '202' }, ['79000000407']);
    await closed(t.task.id);
    expect(await only(t.task.id)).toMatchObject({ result: 'FAIL_CLIENT_H_BEFORE_ANSWER', state: 'endCall' });
    // the agent leg was hung up too
    await until(() => s.sim.world.channels().every((c) => !String(c.id).endsWith('-agent')), 3000, 'agent leg gone');
    s.sim.world.setAgent('202', { answerAfterMs: 1000 });
  });

  it('hands polling calls to the survey: SUCCESS_POLLING, FAIL_POLLING, and a dial action', async () => {
    for (const n of ['79000000501', '79000000511', '79000000521']) s.sim.world.setCustomer(n, { kind: 'answer', hangupAfterMs: 30_000 });
    const t = await addTask(s.db, { innerNumType: 'polling', innerNum: '7', maxCountChannels: 3 }, ['79000000501', '79000000511', '79000000521']);
    await closed(t.task.id);
    const [ok, bad, dial] = await rowsOf(s.db, t.task.id);
    expect(ok).toMatchObject({ result: 'SUCCESS_POLLING', state: 'EVENT_POLLING_END', outDialState: 'ANSWER' });
    expect(bad).toMatchObject({ result: 'FAIL_POLLING', state: 'endCall' });
    expect(dial).toMatchObject({ result: 'SUCCESS_POLLING' });
    // after the survey's dial action the customer is put through to 201
    await until(() => s.sim.world.callLog.some((c) => c.endpoint === 'Local/201@internal' && c.answeredAt), 5000, 'agent answered');
  });

  it('reads causes on the channel itself with a SIP trunk', async () => {
    const sip = await simSuite({}, 'sip');
    try {
      await sip.dialer();
      const { task } = await addTask(sip.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 4, dialPrefix: '0' }, [
        '79000000002', '79000000004', '79000000008', '79000000003',
      ]);
      await until(async () => (await taskOf(sip.db, task.id)).state === 1, 15_000, 'sip task closed');
      const rows = await rowsOf(sip.db, task.id);
      expect(rows.map((r) => [r.result, r.outDialState, r.hangupCause])).toEqual([
        ['FAIL', 'BUSY', 17],
        ['FAIL', 'CONGESTION', 34],
        ['FAIL', expect.any(String), 1],
        ['FAIL', 'NOANSWER', 19],
      ]);
    } finally {
      await sip.cleanup();
    }
  });
});
