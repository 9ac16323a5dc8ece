import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src/events/bus.js';
import type { LiveEvent } from '../../src/events/types.js';
import { testApi } from './helpers.js';

/** A pause, resume or close through the API reaches the event stream (the cockpit's other open pages) at once. */
describe('task state changes through the API on the event stream', () => {
  const bus = new EventBus();
  const seen: LiveEvent[] = [];
  bus.listen((b) => void seen.push(b.event));
  const t = testApi({}, { events: bus });
  const states = (id: number) => seen.filter((e) => e.type === 'task.state' && e.taskId === id).map((e) => (e as { state: number }).state);

  it('a new task, then pause, resume and close each publish task.state with the stored state', async () => {
    const r = await t.call('POST', '/task', { crmId: 'ev-1', innerNum: '201', state: 2 });
    const id = Number(r.json.data.id);
    for (const state of [0, 1]) expect((await t.call('PUT', `/task/${id}`, { state })).json.result).toBe(true);
    expect(states(id)).toEqual([2, 0, 1]);
    // a change that does not touch the state, or a refused one, says nothing about it
    await t.call('PUT', `/task/${id}`, { name: 'renamed' });
    expect((await t.call('PUT', `/task/${id}`, { state: 7 })).json.result).toBe(false);
    expect(states(id)).toEqual([2, 0, 1]);
  });
});
