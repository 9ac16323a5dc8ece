import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.js';
import type { LiveEvent } from '../../src/events/types.js';
import { addTask, fakeSurvey, rowsOf, taskOf, until } from './helpers.js';
import { simSuite } from './sim-harness.js';

/**
 * call.phase against the simulator (real ari-client): what an answered call does, as the cockpit's live-calls
 * view shows it. A survey that plays, a customer bridged with an agent (exten task, a survey's transfer, callback
 * mode); the bus's live state follows.
 */
let s: Awaited<ReturnType<typeof simSuite>>;
const bus = new EventBus();
const seen: LiveEvent[] = [];
bus.listen((e) => seen.push(e.event));

beforeAll(async () => {
  s = await simSuite();
  // numbers ending in 21 are transferred by the survey to extension 202
  await s.dialer(fakeSurvey((phone) => (phone.endsWith('21') ? { result: 'SUCCESS_POLLING', dial: '202' } : { result: 'SUCCESS_POLLING' }), 1000), bus);
});
afterAll(() => s.cleanup());

const closed = (taskId: number, ms = 15_000) => until(async () => (await taskOf(s.db, taskId)).state === 1, ms, `task ${taskId} closed`);
/** The row's call events as `type` or `type:phase[:agent]` / `type:result`, in order. */
const story = (rowId: number) =>
  seen
    .filter((e) => 'rowId' in e && e.rowId === rowId)
    .map((e) => (e.type === 'call.phase' ? `phase:${e.phase}${e.agent ? `:${e.agent}` : ''}` : e.type === 'call.ended' ? `ended:${e.result}` : e.type));
const ended = (rowId: number) => until(() => seen.some((e) => e.type === 'call.ended' && e.rowId === rowId), 5000, `call.ended of row ${rowId}`);

describe('call.phase: what an answered call is doing', () => {
  it('a survey call: survey while it plays, then ended', async () => {
    s.sim.world.setCustomer('79300000001', { kind: 'answer', hangupAfterMs: 60_000 });
    const { task, rows } = await addTask(s.db, { innerNumType: 'polling', innerNum: '1' }, ['79300000001']);
    const id = rows[0]!.id;
    await until(() => bus.snapshot().calls.find((c) => c.rowId === id && c.phase === 'survey'), 10_000, 'the survey phase in the live state');
    await closed(task.id);
    await ended(id);
    expect(story(id)).toEqual(['call.started', 'call.answered', 'phase:survey', 'ended:SUCCESS_POLLING']);
    expect(bus.snapshot().calls.some((c) => c.rowId === id)).toBe(false);
  });

  it('an extension task: agent with the extension once bridged, then ended', async () => {
    s.sim.world.setCustomer('79300000107', { kind: 'answer', ringing: true, answerAfterMs: 500, hangupAfterMs: 8000 });
    s.sim.world.setAgent('201', { answerAfterMs: 500, hangupAfterMs: 60_000 });
    const { task, rows } = await addTask(s.db, { innerNum: '201' }, ['79300000107']);
    const id = rows[0]!.id;
    const live = await until(() => bus.snapshot().calls.find((c) => c.rowId === id && c.phase === 'agent'), 10_000, 'the agent phase');
    expect(live.agent).toBe('201');
    await closed(task.id);
    await ended(id);
    const row = (await rowsOf(s.db, task.id))[0]!;
    expect(story(id)).toEqual(['call.started', 'call.answered', 'phase:agent:201', `ended:${row.result}`]);
    expect(row.result).toBe('SUCCESS_CLIENT_H');
  });

  it("a survey's transfer to an agent: survey, agent, and ended (with the survey's result) only when the call is over", async () => {
    s.sim.world.setCustomer('79300000021', { kind: 'answer', hangupAfterMs: 8000 });
    s.sim.world.setAgent('202', { answerAfterMs: 500, hangupAfterMs: 60_000 });
    const { task, rows } = await addTask(s.db, { innerNumType: 'polling', innerNum: '1' }, ['79300000021']);
    const id = rows[0]!.id;
    await until(() => bus.snapshot().calls.find((c) => c.rowId === id && c.phase === 'agent' && c.agent === '202'), 10_000, 'the agent phase');
    // the result is recorded before the transfer, the call is still live
    expect((await rowsOf(s.db, task.id))[0]!.result).toBe('SUCCESS_POLLING');
    await ended(id);
    expect(story(id)).toEqual(['call.started', 'call.answered', 'phase:survey', 'phase:agent:202', 'ended:SUCCESS_POLLING']);
    const { callFile } = (await rowsOf(s.db, task.id))[0]!;
    expect(s.sim.world.callLog.find((c) => c.channelId === `${callFile}-agent`)?.endpoint).toBe('Local/202@internal');
  });

  it('callback mode: agent once the operator and the customer are bridged', async () => {
    s.sim.world.setAgent('203', { answerAfterMs: 500, hangupAfterMs: 60_000 });
    s.sim.world.setCustomer('79300000207', { kind: 'answer', ringing: true, answerAfterMs: 500, hangupAfterMs: 8000 });
    const { task, rows } = await addTask(s.db, { innerNum: '203', isCallback: 1 }, ['79300000207']);
    const id = rows[0]!.id;
    await closed(task.id);
    await ended(id);
    expect(story(id)).toEqual(['call.started', 'call.answered', 'phase:agent:203', 'ended:SUCCESS']);
  });
});
