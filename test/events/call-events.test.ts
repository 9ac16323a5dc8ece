import { describe, expect, it } from 'vitest';
import { CallEvents } from '../../src/events/call-events.js';
import type { LiveEvent } from '../../src/events/types.js';

/** CallEvents alone: the phases of a call, a call.ended held while the call goes on, a sink that throws. */
function started() {
  const seen: LiveEvent[] = [];
  const calls = new CallEvents({ publish: (e) => seen.push(e) });
  calls.booked({ taskId: 1, rowId: 10, phone: '79000000001', channelId: 'dlr-10-1-x' });
  calls.originating('dlr-10-1-x');
  calls.entered('dlr-10-1-x');
  seen.length = 0;
  return { calls, seen };
}

describe('CallEvents: call.phase', () => {
  it('publishes each phase once, with the agent when given; nothing for a call not started here or ended', () => {
    const { calls, seen } = started();
    calls.phase(10, 'survey');
    calls.phase(10, 'survey');
    calls.phase(10, 'agent', '201');
    calls.phase(10, 'agent', '201');
    calls.phase(11, 'survey'); // never booked
    calls.finished(10, 'SUCCESS_USER_H', undefined);
    calls.phase(10, 'agent', '202'); // ended
    expect(seen).toEqual([
      { type: 'call.phase', taskId: 1, rowId: 10, phase: 'survey' },
      { type: 'call.phase', taskId: 1, rowId: 10, phase: 'agent', agent: '201' },
      { type: 'call.ended', taskId: 1, rowId: 10, phone: '79000000001', result: 'SUCCESS_USER_H', outDialState: 'ANSWER' },
    ]);
    const booked = new CallEvents({ publish: (e) => seen.push(e) });
    booked.booked({ taskId: 1, rowId: 12, phone: '79000000002', channelId: 'dlr-12-1-x' });
    booked.phase(12, 'survey'); // booked, never sent
    expect(seen).toHaveLength(3);
  });

  it('a call that goes on after its result (a survey transfer) ends when it leaves, with that result', () => {
    const { calls, seen } = started();
    calls.goesOn(10);
    calls.finished(10, 'SUCCESS_POLLING', undefined);
    calls.phase(10, 'agent', '202');
    calls.left(10);
    expect(seen.map((e) => e.type)).toEqual(['call.phase', 'call.ended']);
    expect(seen[1]).toEqual({ type: 'call.ended', taskId: 1, rowId: 10, phone: '79000000001', result: 'SUCCESS_POLLING', outDialState: 'ANSWER' });
  });

  it('a sink that throws never reaches the call', () => {
    const calls = new CallEvents({
      publish: () => {
        throw new Error('broken sink');
      },
    });
    calls.booked({ taskId: 1, rowId: 10, phone: '79000000001', channelId: 'c' });
    expect(() => {
      calls.originating('c');
      calls.phase(10, 'survey');
      calls.finished(10, 'FAIL', null);
      calls.left(10);
    }).not.toThrow();
  });
});
