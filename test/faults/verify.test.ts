import { describe, expect, it } from 'vitest';
import { CallLog, type CallRecord } from '../../sim/call-log.js';
import { verifyCampaign, type CampaignPlan, type DbRow } from './harness/campaign.js';

/** The fault suites are only as good as their checker: each broken invariant must be reported. */
const plan: CampaignPlan = { total: 2, tasks: [{ body: {}, numbers: ['79000000011', '79000000022'], maxAttempt: 2 }] };
const call = (channelId: string, number: string, startedAt: number, endedAt?: number): CallRecord => ({
  channelId, number, endpoint: `Local/${number}@outgoing`, app: 'autodialer', mode: 'originate', startedAt, endedAt,
});
const row = (id: number, phone: string, attemptNumber: number, callFile: string | null, result = 'FAIL'): DbRow => ({
  id, taskId: 1, phone, attemptNumber, state: 'endCall', result, callFile, originatedAt: 1, closeTime: result ? 2 : 0,
});
function verify(calls: CallRecord[], rows: DbRow[], api = rows, live: string[] = []) {
  const log = new CallLog();
  for (const c of calls) log.add(c);
  return verifyCampaign(
    { log, liveOurs: live },
    plan,
    [1],
    { rows, tasks: [{ id: 1, state: 1, maxAttempt: 2 }] },
    new Map(api.map((r) => [r.id, { result: r.result }])),
  ).problems.join('\n');
}

describe('verifyCampaign', () => {
  const goodCalls = [call('dlr-1-1-a', '79000000011', 0, 10), call('dlr-2-1-b', '79000000022', 0, 10)];
  const goodRows = [row(1, '79000000011', 1, 'dlr-1-1-a'), row(2, '79000000022', 1, 'dlr-2-1-b')];

  it('passes a clean campaign', () => {
    expect(verify(goodCalls, goodRows)).toBe('');
  });
  it('reports a number in two calls at once', () => {
    const calls = [...goodCalls, call('dlr-3-2-c', '79000000011', 5, 20)];
    expect(verify(calls, [...goodRows, row(3, '79000000011', 2, 'dlr-3-2-c')])).toMatch(/two calls at once/);
  });
  it('reports an attempt or a channel id originated twice', () => {
    expect(verify([...goodCalls, call('dlr-1-1-z', '79000000011', 20, 30)], goodRows)).toMatch(/attempts originated twice/);
    expect(verify([...goodCalls, call('dlr-1-1-a', '79000000011', 20, 30)], goodRows)).toMatch(/channel ids originated twice/);
  });
  it('reports a number dialed more than maxAttempt', () => {
    const calls = [...goodCalls, call('dlr-3-2-c', '79000000011', 20, 30), call('dlr-4-3-d', '79000000011', 40, 50)];
    const rows = [...goodRows, row(3, '79000000011', 2, 'dlr-3-2-c'), row(4, '79000000011', 3, 'dlr-4-3-d')];
    expect(verify(calls, rows)).toMatch(/dialed more than maxAttempt/);
  });
  it('reports rows without a result, numbers without rows, calls off the books, leftovers, API gaps', () => {
    expect(verify(goodCalls, [goodRows[0]!, row(2, '79000000022', 1, 'dlr-2-1-b', '')])).toMatch(/without a terminal result/);
    expect(verify(goodCalls.slice(0, 1), goodRows.slice(0, 1))).toMatch(/numbers with no row/);
    expect(verify([...goodCalls, call('dlr-9-1-x', '79000000022', 20, 30)], goodRows)).toMatch(/calls with no attempt row/);
    expect(verify(goodCalls, goodRows, goodRows, ['dlr-1-1-a'])).toMatch(/left up/);
    expect(verify(goodCalls, goodRows, goodRows.slice(1))).toMatch(/missing from GET \/results/);
  });
});
