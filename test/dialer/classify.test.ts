import { describe, expect, it } from 'vitest';
import { classifyUnanswered, type UnansweredEvidence } from '../../stasis/dialer/classify.js';
import { LegEvidence } from '../../stasis/dialer/customer-leg.js';
import type { AriEvent } from '../../stasis/ari/port.js';

const ch = (id: string) => ({ id, name: id, state: 'Down' });

describe('classifying an unanswered customer leg', () => {
  // [what the wire showed, result, outDialState, hangupCause, retried?]
  const table: [string, UnansweredEvidence, string, string | null, number | null, boolean][] = [
    ['Local busy: Dial(BUSY), cause 0', { sawDial: true, dialStatus: 'BUSY', cause: 0 }, 'FAIL', 'BUSY', 17, true],
    ['Local congestion: Dial(CONGESTION), cause 0', { sawDial: true, dialStatus: 'CONGESTION', cause: 0 }, 'FAIL', 'CONGESTION', 34, true],
    ['ring timeout: no final Dial, cause 19', { sawDial: true, cause: 19 }, 'FAIL', 'NOANSWER', 19, true],
    ['Dial(NOANSWER) after our hangup, cause 16', { sawDial: true, dialStatus: 'NOANSWER', cause: 16 }, 'FAIL', 'NOANSWER', 16, true],
    ['unallocated: Dial(NOANSWER), cause 1', { sawDial: true, dialStatus: 'NOANSWER', cause: 1 }, 'FAIL', 'NOANSWER', 1, false],
    ['unallocated on a SIP trunk: cause 1 only', { sawDial: false, cause: 1 }, 'FAIL', 'CHANUNAVAIL', 1, false],
    ['no route: only Destroyed(0)', { sawDial: false, cause: 0 }, 'FAIL_ROUTE', null, 0, true],
    ['SIP busy: cause 17 on the channel', { sawDial: false, cause: 17 }, 'FAIL', 'BUSY', 17, true],
    ['SIP congestion: cause 34', { sawDial: false, cause: 34 }, 'FAIL', 'CONGESTION', 34, true],
    ['SIP no answer: cause 18', { sawDial: false, cause: 18 }, 'FAIL', 'NOANSWER', 18, true],
    ['provider down: Dial(CHANUNAVAIL)', { sawDial: true, dialStatus: 'CHANUNAVAIL', cause: 0 }, 'FAIL_PROVIDER', 'CHANUNAVAIL', null, true],
    ['provider down: cause 38', { sawDial: false, cause: 38 }, 'FAIL_PROVIDER', 'CHANUNAVAIL', 38, true],
    ['subscriber absent: cause 20', { sawDial: false, cause: 20 }, 'FAIL_PROVIDER', 'CHANUNAVAIL', 20, true],
    ['no route to destination: cause 3', { sawDial: false, cause: 3 }, 'FAIL_ROUTE', 'CHANUNAVAIL', 3, true],
    ['hard hangup request with cause 17, destroyed 0', { sawDial: true, cause: 0, hangupRequestCause: 17 }, 'FAIL', 'BUSY', 17, true],
    ['channel vanished without events', { sawDial: false }, 'FAIL', null, null, true],
  ];
  it.each(table)('%s', (_name, ev, result, out, code, retry) => {
    const c = classifyUnanswered(ev);
    expect(c).toMatchObject({ result, outDialState: out, hangupCause: code, retry });
  });

  it('keeps the cause text Asterisk gave', () => {
    expect(classifyUnanswered({ sawDial: true, cause: 19, causeText: 'User alerting, no answer' }).cause).toBe('User alerting, no answer');
    expect(classifyUnanswered({ sawDial: true, dialStatus: 'BUSY', cause: 0, causeText: 'Unknown' }).cause).toBe('User busy');
  });
});

describe('collecting evidence from the wire', () => {
  it('reads only Dial events whose peer is our channel and ignores soft hangup flags', () => {
    const ev = new LegEvidence('X');
    const events: AriEvent[] = [
      { type: 'Dial', peer: ch('X'), dialstatus: '' },
      // the PBX route's inner Dial: another peer
      { type: 'Dial', peer: ch('Local/123@test-clients-0001;1'), caller: ch('Y;2'), dialstatus: 'BUSY' },
      { type: 'Dial', peer: ch('X'), dialstatus: 'RINGING' },
      { type: 'ChannelHangupRequest', channel: ch('X'), cause: 32, soft: true },
      { type: 'Dial', peer: ch('X'), dialstatus: 'NOANSWER' },
      { type: 'ChannelDestroyed', channel: ch('X'), cause: 16, cause_txt: 'Normal Clearing' },
    ];
    events.forEach(ev.see);
    expect(ev).toMatchObject({ sawDial: true, dialStatus: 'NOANSWER', cause: 16, hangupRequestCause: undefined, answered: false });
  });
});
