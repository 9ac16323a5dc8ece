import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialer } from '../../stasis/dialer/index.js';
import { addTask, fakeSurvey, maxConcurrent, rowsOf, taskOf, until } from './helpers.js';
import { simSuite, SCALE } from './sim-harness.js';

let s: Awaited<ReturnType<typeof simSuite>>;
let dialer: Dialer;
beforeAll(async () => {
  s = await simSuite({ DIALER_TIMEZONE: 'UTC' });
  dialer = (await s.dialer(fakeSurvey({ result: 'SUCCESS_POLLING' }, 3000))).dialer;
});
afterAll(() => s.cleanup());

const callsTo = (numbers: string[]) => s.sim.world.callLog.filter((c) => numbers.includes(c.number) && !c.endpoint.includes('@internal'));
const closed = (taskId: number, ms = 15_000) => until(async () => (await taskOf(s.db, taskId)).state === 1, ms, `task ${taskId} closed`);
const setState = async (taskId: number, state: number) => {
  await s.db.run('UPDATE tasks SET state = ? WHERE id = ?', [state, taskId]);
  dialer.tasksChanged([taskId]);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const numbers = (base: number, n: number, last: string) => Array.from({ length: n }, (_, i) => `7900${base + i}${last}`);

describe('pacing against the simulator', () => {
  it('never has more calls in flight than maxCountChannels, in insertion order', async () => {
    const nums = numbers(100000, 12, '0'); // answer after 2 s, survey holds 3 s
    const { task } = await addTask(s.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 3 }, nums);
    dialer.tasksChanged([task.id]);
    await closed(task.id);
    const calls = callsTo(nums);
    expect(calls).toHaveLength(12);
    expect(maxConcurrent(calls)).toBe(3);
    expect(calls.map((c) => c.number)).toEqual(nums);
    expect((await rowsOf(s.db, task.id)).every((r) => r.result === 'SUCCESS_POLLING')).toBe(true);
  });

  it('never rings more customers for an extension than its agent can take', async () => {
    s.sim.world.setAgent('202', { answerAfterMs: 500, hangupAfterMs: 4000 });
    const nums = numbers(200000, 4, '7');
    const { task } = await addTask(s.db, { innerNum: '202', maxCountChannels: 4 }, nums);
    dialer.tasksChanged([task.id]);
    await closed(task.id);
    expect(maxConcurrent(callsTo(nums))).toBe(1);
    expect((await rowsOf(s.db, task.id)).map((r) => r.result)).toEqual(Array(4).fill('SUCCESS_USER_H'));
    s.sim.world.setAgent('202', { answerAfterMs: 1000, hangupAfterMs: 600_000 });
  });

  it('never has more unbridged calls to a queue than free members', async () => {
    s.sim.world.setQueueMembers('9000', ['201', '202']);
    s.sim.world.setAgent('201', { answerAfterMs: 500, hangupAfterMs: 3000 });
    s.sim.world.setAgent('202', { answerAfterMs: 500, hangupAfterMs: 3000 });
    const nums = numbers(300000, 6, '7');
    const { task } = await addTask(s.db, { innerNum: '9000', maxCountChannels: 10 }, nums);
    dialer.tasksChanged([task.id]);
    await closed(task.id);
    const calls = callsTo(nums);
    expect(maxConcurrent(calls)).toBeLessThanOrEqual(2);
    expect(maxConcurrent(calls)).toBe(2);
    expect((await rowsOf(s.db, task.id)).every((r) => r.result.startsWith('SUCCESS_'))).toBe(true);
    s.sim.world.setAgent('201', { answerAfterMs: 1000, hangupAfterMs: 600_000 });
    s.sim.world.setAgent('202', { answerAfterMs: 1000, hangupAfterMs: 600_000 });
  });
});

describe('pause, resume and close mid-campaign', () => {
  it('starts nothing while paused or closed, finishes and records calls in flight', async () => {
    const nums = numbers(400000, 8, '0');
    const { task } = await addTask(s.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 2 }, nums);
    dialer.tasksChanged([task.id]);
    await until(() => callsTo(nums).length === 2, 3000, 'two calls');
    await setState(task.id, 2);
    await until(async () => (await rowsOf(s.db, task.id)).filter((r) => r.result).length === 2, 5000, 'in-flight recorded');
    await sleep(500);
    expect(callsTo(nums)).toHaveLength(2);
    expect((await taskOf(s.db, task.id)).state).toBe(2); // a paused task never closes itself

    await setState(task.id, 0);
    await until(() => callsTo(nums).length >= 4, 3000, 'resumed');
    await setState(task.id, 1);
    const started = callsTo(nums).length;
    await until(async () => (await rowsOf(s.db, task.id)).filter((r) => r.result).length === started, 5000, 'recorded after close');
    await sleep(500);
    expect(callsTo(nums)).toHaveLength(started);
    expect((await rowsOf(s.db, task.id)).filter((r) => r.state === 'CreateTask')).toHaveLength(8 - started);
  });
});

describe('retries', () => {
  it('retries a busy number after tryInterval up to maxAttempt, but not a number that does not exist', async () => {
    const { task } = await addTask(s.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 2, maxAttempt: 3, tryInterval: 30 }, [
      '79005000002',
      '79005000008',
    ]);
    dialer.tasksChanged([task.id]);
    await closed(task.id);
    const rows = await rowsOf(s.db, task.id);
    expect(rows.map((r) => [r.phone, r.attemptNumber, r.result])).toEqual([
      ['79005000002', 1, 'FAIL'],
      ['79005000008', 1, 'FAIL'],
      ['79005000002', 2, 'FAIL'],
      ['79005000002', 3, 'FAIL'],
    ]);
    const busy = callsTo(['79005000002']);
    expect(busy).toHaveLength(3);
    // attempts are at least tryInterval (scaled, timeCallAllow has whole-second resolution) apart
    expect(busy[1]!.startedAt - busy[0]!.startedAt).toBeGreaterThanOrEqual(30_000 * SCALE - 20);
  });
});

describe('dialing windows', () => {
  it('dials only numbers whose local time is inside the window', async () => {
    const nowMin = Math.floor(Date.now() / 60_000) % 1440;
    const start = (nowMin + 120) % 1440;
    const end = (nowMin + 180) % 1440;
    const { task } = await addTask(s.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 2, timeStart: start, timeEnd: end }, [
      { phone: '79006000002' }, // PBX time (UTC here): outside
      { phone: '79006000012', timeOffsetMinutes: 150 }, // UTC+2:30: inside
    ]);
    dialer.tasksChanged([task.id]);
    await until(async () => (await rowsOf(s.db, task.id))[1]!.result, 3000, 'in-window number dialed');
    await sleep(300);
    expect((await rowsOf(s.db, task.id))[0]).toMatchObject({ state: 'CreateTask', result: '' });
    expect(callsTo(['79006000002'])).toHaveLength(0);
    expect((await taskOf(s.db, task.id)).state).toBe(0);
    await setState(task.id, 1);
  });
});

describe('client grouping', () => {
  it("never calls two numbers of a client at once and closes the others on success", async () => {
    const { task } = await addTask(s.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 3 }, [
      { phone: '79007000010', clientId: 'ann' },
      { phone: '79007000020', clientId: 'ann' },
      { phone: '79007000030', clientId: 'bob' },
      { phone: '79007000042', clientId: 'cat' }, // busy: cat's second number is tried after the first ends
      { phone: '79007000050', clientId: 'cat' },
    ]);
    dialer.tasksChanged([task.id]);
    await closed(task.id);
    const rows = await rowsOf(s.db, task.id);
    expect(rows.map((r) => [r.phone, r.result])).toEqual([
      ['79007000010', 'SUCCESS_POLLING'],
      ['79007000020', 'SUCCESS_ANOTHER_PHONE'],
      ['79007000030', 'SUCCESS_POLLING'],
      ['79007000042', 'FAIL'],
      ['79007000050', 'SUCCESS_POLLING'],
    ]);
    expect(callsTo(['79007000020'])).toHaveLength(0);
    expect(maxConcurrent(callsTo(['79007000042', '79007000050']))).toBe(1);
  });
});

describe('queue detection', () => {
  it('treats a number as a queue when Asterisk knows it as one, without DIALER_QUEUES', async () => {
    const q = await simSuite({ DIALER_QUEUES: '' });
    try {
      const { dialer: d } = await q.dialer();
      q.sim.world.setQueueMembers('9000', ['202', '203']);
      q.sim.world.setAgent('202', { answerAfterMs: 500, hangupAfterMs: 3000 });
      q.sim.world.setAgent('203', { answerAfterMs: 500, hangupAfterMs: 3000 });
      const nums = ['79011000007', '79011000017', '79011000027', '79011000037'];
      const { task } = await addTask(q.db, { innerNum: '9000', maxCountChannels: 10 }, nums);
      d.tasksChanged([task.id]);
      await until(async () => (await taskOf(q.db, task.id)).state === 1, 15_000, 'queue task closed');
      const calls = q.sim.world.callLog.filter((c) => nums.includes(c.number));
      expect(maxConcurrent(calls)).toBe(2);
      expect((await rowsOf(q.db, task.id)).every((r) => r.result.startsWith('SUCCESS_'))).toBe(true);
      // an extension is not a queue (QUEUE_MEMBER(202,count) answers 0 as on Asterisk): it is dialed
      const ext = await addTask(q.db, { innerNum: '202' }, ['79011000047']);
      d.tasksChanged([ext.task.id]);
      await until(async () => (await taskOf(q.db, ext.task.id)).state === 1, 15_000, 'extension task closed');
      expect((await rowsOf(q.db, ext.task.id))[0]!.result).toMatch(/^SUCCESS_/);
    } finally {
      await q.cleanup();
    }
  });
});
