import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialsPerNumber, pbxService, type PbxService } from './dialer-harness.js';
import { pbxSkipReason } from './pbx.js';

/**
 * Every outcome the test world of ../shared/asterisk-runtime can produce, dialed by the real service through a
 * real Asterisk 22 (outbound route `Local/0<n>@outgoing`), with the result code, state, outDialState and
 * hangupCause a CRM reads, and the PBX's own dial log as the witness of how often each number was dialed.
 */
describe.skipIf(pbxSkipReason())('outcomes on a real Asterisk', () => {
  let s: PbxService;
  let pollingId: number;
  beforeAll(async () => {
    s = await pbxService();
    pollingId = await s.polling();
  });
  afterAll(() => s?.stop());

  it('records each customer behaviour with its code, cause and retries, and dials nothing more', async () => {
    const survey = await s.task({
      innerNum: String(pollingId),
      innerNumType: 'polling',
      maxCountChannels: 8,
      maxAttempt: 2,
      tryInterval: 1,
      numbers: ['79010000001', '79010000006', '79010000002', '79010000003', '79010000004', '79010000005', '79010000008'],
    });
    // a prefix the PBX has no route for
    const noRoute = await s.task({ innerNum: String(pollingId), innerNumType: 'polling', dialPrefix: '5', numbers: ['79010000011'] });
    await s.waitClosed(noRoute, 30_000);
    await s.waitClosed(survey, 90_000);

    const rows = s.rows(survey);
    const byPhone = (p: string) => rows.filter((r) => r.phone === p).map((r) => [r.attemptNumber, r.result, r.state, r.outDialState, r.hangupCause]);
    expect(byPhone('79010000001')).toEqual([[1, 'SUCCESS_POLLING', 'EVENT_POLLING_END', 'ANSWER', null]]);
    expect(byPhone('79010000006')).toEqual([[1, 'SUCCESS_POLLING', 'EVENT_POLLING_END', 'ANSWER', null]]);
    expect(byPhone('79010000002')).toEqual([
      [1, 'FAIL', 'endCall', 'BUSY', 17],
      [2, 'FAIL', 'endCall', 'BUSY', 17],
    ]);
    expect(byPhone('79010000003')).toEqual([
      [1, 'FAIL', 'endCall', 'NOANSWER', 19],
      [2, 'FAIL', 'endCall', 'NOANSWER', 19],
    ]);
    expect(byPhone('79010000004')).toEqual([
      [1, 'FAIL', 'endCall', 'CONGESTION', 34],
      [2, 'FAIL', 'endCall', 'CONGESTION', 34],
    ]);
    // answered and dropped at once: the survey was not finished (the Q.850 cause of the hangup is kept)
    expect(byPhone('79010000005').map((r) => r.slice(0, 4))).toEqual([
      [1, 'FAIL_POLLING', 'endCall', 'ANSWER'],
      [2, 'FAIL_POLLING', 'endCall', 'ANSWER'],
    ]);
    // an unallocated number is never retried
    expect(byPhone('79010000008')).toEqual([[1, 'FAIL', 'endCall', 'NOANSWER', 1]]);
    expect(s.rows(noRoute).map((r) => [r.result, r.state, r.outDialState, r.hangupCause])).toEqual([['FAIL_ROUTE', 'endCall', null, 0]]);

    // ARI requests went over the event WebSocket (Asterisk 22.4+), and the dialer asked Asterisk not to send
    // the event types it never reads
    expect((await (await fetch(`${s.url}/health`)).json()).dialer.ariTransport).toBe('websocket');
    const app = await (await fetch(`${s.pbx.url}/ari/applications/autodialer`, { headers: { authorization: 'Basic ' + Buffer.from('autodialer:autodialer').toString('base64') } })).json();
    expect(app.events_disallowed.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['ChannelVarset', 'ChannelDialplan']));

    // the answered calls carry Asterisk's call ids
    const answered = rows.find((r) => r.phone === '79010000001')! as (typeof rows)[number] & { verboseCallId: string | null };
    expect(answered.linkedId).toBe(answered.callFile);
    expect(answered.verboseCallId).toMatch(/^\[C-[0-9a-f]{8}\]$/); // the id Asterisk's log shows for the call

    // the PBX dialed each number exactly as often as there are attempt rows; the unrouted one never
    const dials = dialsPerNumber(s.pbx);
    for (const phone of new Set(rows.map((r) => r.phone))) expect([phone, dials.get(phone)]).toEqual([phone, rows.filter((r) => r.phone === phone).length]);
    expect(dials.get('79010000011')).toBeUndefined();

    // the survey's answers, as GET /polling-results gives them to the CRM
    const answers = (await s.api('GET', '/polling-results/0')).data.results as { phone: string; questionCrmId: string; result: string }[];
    expect(answers.filter((a) => a.phone === '79010000006').map((a) => [a.questionCrmId, a.result])).toEqual([
      ['q1', 'three'],
      ['q2', 'nine'],
    ]);
    expect(answers.filter((a) => a.phone === '79010000001').map((a) => [a.questionCrmId, a.result])).toEqual([['q1', 'one']]);
  });

  it('never rings two numbers of one client at once, and a success closes the client\'s other number', async () => {
    const t = await s.task({
      innerNum: String(pollingId),
      innerNumType: 'polling',
      maxCountChannels: 2,
      maxAttempt: 2,
      tryInterval: 1,
      numbers: [
        { number: '79010000102', clientId: 'client-1' },
        { number: '79010000101', clientId: 'client-1' },
      ],
    });
    await s.waitClosed(t, 60_000);
    const rows = s.rows(t).map((r) => [r.phone, r.attemptNumber, r.result]);
    expect(rows).toEqual([
      ['79010000102', 1, 'FAIL'],
      ['79010000101', 1, 'SUCCESS_POLLING'],
      ['79010000102', 2, 'SUCCESS_ANOTHER_PHONE'],
    ]);
    const order = s.pbx.dials().map((d) => d.number).filter((n) => n.startsWith('790100001'));
    expect(order).toEqual(['79010000102', '79010000101']);
  });
});
