import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pcmToWav } from '../../src/media/wav.js';
import { addTask, fakeSurvey, rowsOf, taskOf, until } from './helpers.js';
import { simSuite } from './sim-harness.js';

let s: Awaited<ReturnType<typeof simSuite>>;
let survey: ReturnType<typeof fakeSurvey>;
const surveyed = new Set<string>();
beforeAll(async () => {
  s = await simSuite();
  survey = fakeSurvey((phone) => (surveyed.add(phone), { result: 'SUCCESS_POLLING' }), 500);
  await s.dialer(survey);
});
afterAll(() => s.cleanup());

const closed = (taskId: number, ms = 20_000) => until(async () => (await taskOf(s.db, taskId)).state === 1, ms, `task ${taskId} closed`);
const byPhone = async (taskId: number) => {
  const m = new Map<string, Awaited<ReturnType<typeof rowsOf>>>();
  for (const r of await rowsOf(s.db, taskId)) m.set(r.phone, [...(m.get(r.phone) ?? []), r]);
  return m;
};

describe('answering-machine detection (simulator, real ari-client)', () => {
  it('hangs up on the test world\'s machines (..9) and lets its people (..0, ..1, ..6) into the survey', async () => {
    const { task } = await addTask(s.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 4, dialPrefix: '0', amd: 'hangup', maxAttempt: 2, tryInterval: 1 }, [
      '79100000009', '79100000010', '79100000011', '79100000016',
    ]);
    await closed(task.id);
    const rows = await byPhone(task.id);
    const machine = rows.get('79100000009')!;
    // FAIL with outDialState MACHINE, retried like any FAIL (maxAttempt 2)
    expect(machine.map((r) => [r.attemptNumber, r.result, r.outDialState])).toEqual([
      [1, 'FAIL', 'MACHINE'],
      [2, 'FAIL', 'MACHINE'],
    ]);
    for (const p of ['79100000010', '79100000011', '79100000016']) {
      expect(rows.get(p)!.map((r) => r.result)).toEqual(['SUCCESS_POLLING']);
      expect(surveyed.has(p)).toBe(true);
    }
    expect(surveyed.has('79100000009')).toBe(false);
    // the machine's call was hung up by us long before its own 16.75 s hang-up
    const call = s.sim.world.callLog.find((c) => c.number === '79100000009' && c.answeredAt);
    expect(call?.endedAt).toBeDefined();
    expect((call!.endedAt! - call!.answeredAt!) / 0.02).toBeLessThan(6000);
  });

  it('never puts a machine through to an agent on an extension task', async () => {
    s.sim.world.setAgent('202', { answerAfterMs: 1000, hangupAfterMs: 5000 });
    const before = s.sim.world.callLog.filter((c) => c.endpoint === 'Local/202@internal').length;
    const { task } = await addTask(s.db, { innerNum: '202', dialPrefix: '0', amd: 'hangup' }, ['79100000019']);
    await closed(task.id);
    expect((await rowsOf(s.db, task.id))[0]).toMatchObject({ result: 'FAIL', outDialState: 'MACHINE' });
    expect(s.sim.world.callLog.filter((c) => c.endpoint === 'Local/202@internal').length).toBe(before);
  });

  it('takes a short "hello" as a person and a long greeting that ends as a machine', async () => {
    s.sim.world.setCustomer('79100000100', { kind: 'answer', hangupAfterMs: 30_000, talk: [{ afterAnswerMs: 400, durationMs: 700, framesAfter: true }] });
    s.sim.world.setCustomer('79100000101', { kind: 'answer', hangupAfterMs: 30_000, talk: [{ afterAnswerMs: 500, durationMs: 4000, framesAfter: true }] });
    const { task } = await addTask(s.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 2, dialPrefix: '0', amd: 'hangup' }, ['79100000100', '79100000101']);
    await closed(task.id);
    const rows = await byPhone(task.id);
    expect(rows.get('79100000100')![0]).toMatchObject({ result: 'SUCCESS_POLLING', outDialState: 'ANSWER' });
    expect(rows.get('79100000101')![0]).toMatchObject({ result: 'FAIL', outDialState: 'MACHINE' });
  });

  it('leaves the task\'s message on a machine after its greeting, and records it delivered', async () => {
    const file = join(s.dir, 'amd-message.wav');
    writeFileSync(file, pcmToWav(Buffer.alloc(16_000 * 2))); // 2 s
    const { task } = await addTask(s.db, { innerNumType: 'polling', innerNum: '1', dialPrefix: '0', amd: 'message', amdMessageFile: file, maxAttempt: 3 }, ['79100000029']);
    await closed(task.id);
    const rows = await rowsOf(s.db, task.id);
    expect(rows.map((r) => [r.result, r.outDialState])).toEqual([['SUCCESS_MACHINE_MESSAGE', 'MACHINE']]);
    const call = s.sim.world.callLog.find((c) => c.number === '79100000029');
    expect(call?.endedAt).toBeDefined();
  });

  it('records FAIL / MACHINE when the machine hangs up before the message is over', async () => {
    s.sim.world.setCustomer('79100000039', { kind: 'answer', hangupAfterMs: 6000, talk: [{ afterAnswerMs: 300, durationMs: 2500, framesAfter: true }] });
    const file = join(s.dir, 'amd-long.wav');
    writeFileSync(file, pcmToWav(Buffer.alloc(16_000 * 20))); // 20 s
    const { task } = await addTask(s.db, { innerNumType: 'polling', innerNum: '1', dialPrefix: '0', amd: 'message', amdMessageFile: file }, ['79100000039']);
    await closed(task.id);
    expect((await rowsOf(s.db, task.id))[0]).toMatchObject({ result: 'FAIL', outDialState: 'MACHINE' });
  });
});

describe('answering-machine message by text-to-speech', () => {
  it('voices the task\'s amdMessage and leaves it on the machine', async () => {
    const t = await simSuite();
    try {
      const file = join(t.dir, 'spoken.wav');
      writeFileSync(file, pcmToWav(Buffer.alloc(16_000))); // 1 s
      const spoken: string[] = [];
      const { connectAri } = await import('../../stasis/ari/ari-client-port.js');
      const { createDialer } = await import('../../stasis/dialer/index.js');
      const { createClock } = await import('../../src/clock.js');
      const ari = await connectAri({ url: t.sim.url, username: t.sim.username, password: t.sim.password, app: t.config.ari.app, log: t.log });
      const tts = { configured: true, synthesize: async (text: string) => (spoken.push(text), { ok: true as const, wavPath: file, cached: true }) };
      const d = createDialer({ config: t.config, db: t.db, log: t.log, ari, clock: createClock(0.02), runSurvey: fakeSurvey(), tts, simulator: true });
      await d.start();
      try {
        const { task } = await addTask(t.db, { innerNumType: 'polling', innerNum: '1', dialPrefix: '0', amd: 'message', amdMessage: 'Перезвоните нам' }, ['79100000049']);
        await until(async () => (await taskOf(t.db, task.id)).state === 1, 20_000, 'task closed');
        expect((await rowsOf(t.db, task.id)).map((r) => [r.result, r.outDialState])).toEqual([['SUCCESS_MACHINE_MESSAGE', 'MACHINE']]);
        expect(spoken).toEqual(['Перезвоните нам']);
      } finally {
        await d.stop();
        await ari.close();
      }
    } finally {
      await t.cleanup();
    }
  });
});
