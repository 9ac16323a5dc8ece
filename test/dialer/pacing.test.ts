import { describe, expect, it } from 'vitest';
import { pickCandidate, RateLimiter, taskCapacity } from '../../stasis/dialer/pacing.js';
import { inWindow, isAllowedNow, minutesForNumber } from '../../stasis/dialer/window.js';

describe('how many calls a task may start', () => {
  it('never exceeds maxCountChannels', () => {
    expect(taskCapacity({ maxCountChannels: 3, inFlight: 1, needsAgent: false, pendingForAgents: 0 })).toBe(2);
    expect(taskCapacity({ maxCountChannels: 3, inFlight: 3, needsAgent: false, pendingForAgents: 0 })).toBe(0);
    expect(taskCapacity({ maxCountChannels: 3, inFlight: 5, needsAgent: false, pendingForAgents: 0 })).toBe(0);
  });
  it('never starts more unbridged calls than free agents', () => {
    expect(taskCapacity({ maxCountChannels: 10, inFlight: 0, needsAgent: true, agentsFree: 2, pendingForAgents: 0 })).toBe(2);
    expect(taskCapacity({ maxCountChannels: 10, inFlight: 1, needsAgent: true, agentsFree: 2, pendingForAgents: 1 })).toBe(1);
    expect(taskCapacity({ maxCountChannels: 10, inFlight: 3, needsAgent: true, agentsFree: 1, pendingForAgents: 2 })).toBe(0);
  });
  it('dials nobody while the agent state is unknown', () => {
    expect(taskCapacity({ maxCountChannels: 10, inFlight: 0, needsAgent: true, pendingForAgents: 0 })).toBe(0);
  });
});

describe('which number is next', () => {
  const rows = [
    { id: 1, clientId: 'a', timeOffsetMinutes: null },
    { id: 2, clientId: 'a', timeOffsetMinutes: null },
    { id: 3, clientId: 'b', timeOffsetMinutes: 180 },
    { id: 4, clientId: '', timeOffsetMinutes: null },
  ];
  it('takes insertion order', () => {
    expect(pickCandidate(rows, () => false, () => true).row?.id).toBe(1);
  });
  it("skips a busy client's numbers for another client's", () => {
    expect(pickCandidate(rows, (c) => c === 'a', () => true).row?.id).toBe(3);
  });
  it('skips numbers whose window is closed and says so', () => {
    const r = pickCandidate(rows, (c) => c === 'a', (off) => off === null);
    expect(r.row?.id).toBe(4);
    expect(r.windowBlocked).toBe(true);
  });
});

describe('dialing windows', () => {
  it('is inclusive and may cross midnight', () => {
    expect(inWindow(540, 540, 1080)).toBe(true);
    expect(inWindow(1080, 540, 1080)).toBe(true);
    expect(inWindow(1081, 540, 1080)).toBe(false);
    expect(inWindow(1380, 1320, 120)).toBe(true); // 23:00 in 22:00..02:00
    expect(inWindow(60, 1320, 120)).toBe(true);
    expect(inWindow(600, 1320, 120)).toBe(false);
    expect(inWindow(1439, 0, 1440)).toBe(true);
  });
  it('reads NULL and 0 offsets as PBX local time and others as UTC+offset', () => {
    const noonUtc = Date.UTC(2026, 5, 1, 12, 0);
    expect(minutesForNumber(noonUtc, null, 'Europe/Moscow')).toBe(15 * 60);
    expect(minutesForNumber(noonUtc, 0, 'Europe/Moscow')).toBe(15 * 60);
    expect(minutesForNumber(noonUtc, -300, 'Europe/Moscow')).toBe(7 * 60);
    expect(minutesForNumber(noonUtc, 720, 'UTC')).toBe(0);
    const task = { timeStart: 9 * 60, timeEnd: 18 * 60 };
    expect(isAllowedNow(noonUtc, null, task, 'Europe/Moscow')).toBe(true);
    expect(isAllowedNow(noonUtc, -300, task, 'Europe/Moscow')).toBe(false);
  });
});

describe('originate rate limit', () => {
  it('lets a burst of one second through, then spaces calls', () => {
    const l = new RateLimiter(10, 0);
    let allowed = 0;
    for (let i = 0; i < 20; i++) if (l.take(0) === 0) allowed++;
    expect(allowed).toBe(10);
    expect(l.take(0)).toBeGreaterThan(0);
    expect(l.take(100)).toBe(0);
  });
  it('is off at 0', () => {
    const l = new RateLimiter(0, 0);
    for (let i = 0; i < 1000; i++) expect(l.take(0)).toBe(0);
  });
});
