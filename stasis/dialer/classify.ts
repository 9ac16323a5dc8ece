/**
 * Classification of a customer leg that ended without being answered (pure; table-tested).
 *
 * Evidence, in the order observed.md says it must be read:
 *  1. the last final Dial event whose peer is OUR channel (BUSY / CONGESTION / NOANSWER / CHANUNAVAIL / CANCEL);
 *  2. the cause of ChannelDestroyed on our channel (a real SIP trunk puts 17/34/1/… there; an originated
 *     Local channel reports 0 for busy and congestion, which is why 1. comes first);
 *  3. whether any Dial event was seen at all (none + cause 0 = the PBX had no route).
 */
export interface UnansweredEvidence {
  /** Last non-empty, non-RINGING dialstatus of a Dial event with peer.id == our channel. */
  dialStatus?: string;
  /** Whether any Dial event for our channel arrived (even dialstatus ""). */
  sawDial: boolean;
  /** ChannelDestroyed cause of our channel (undefined when the channel vanished without an event). */
  cause?: number;
  causeText?: string;
  /** Cause of a hard (non-soft) ChannelHangupRequest on our channel, a Q.850 code. */
  hangupRequestCause?: number;
}

export interface Classification {
  result: 'FAIL' | 'FAIL_ROUTE' | 'FAIL_PROVIDER';
  outDialState: string | null;
  /** Q.850 code stored in hangupCause; for Local channels that report 0, the code the dial status implies. */
  hangupCause: number | null;
  cause: string | null;
  /** False for numbers that do not exist: retrying them is pointless. */
  retry: boolean;
}

export const CAUSE_TEXT: Record<number, string> = {
  0: 'Unknown',
  1: 'Unallocated (unassigned) number',
  2: 'No route to specified transit network',
  3: 'No route to destination',
  16: 'Normal Clearing',
  17: 'User busy',
  18: 'No user responding',
  19: 'User alerting, no answer',
  20: 'Subscriber absent',
  21: 'Call Rejected',
  22: 'Number changed',
  27: 'Destination out of order',
  28: 'Invalid number format',
  34: 'Circuit/channel congestion',
  38: 'Network out of order',
  41: 'Temporary failure',
  42: 'Switching equipment congestion',
  47: 'Resource unavailable, unspecified',
  58: 'Bearer capability not available',
  66: 'Channel not implemented',
  102: 'Recovery on timer expiry',
};

const PROVIDER_DOWN = new Set([20, 27, 38, 41, 47, 58, 66, 102]);
const NOT_EXISTING = new Set([1, 22, 28]);
const CONGESTION = new Set([34, 42, 44]);

export function classifyUnanswered(ev: UnansweredEvidence): Classification {
  const raw = ev.cause && ev.cause > 0 ? ev.cause : ev.hangupRequestCause && ev.hangupRequestCause > 0 ? ev.hangupRequestCause : 0;
  const text = (code: number) => (code === ev.cause && ev.causeText ? ev.causeText : CAUSE_TEXT[code] ?? null);
  const fail = (result: Classification['result'], outDialState: string | null, code: number | null, retry = true): Classification => ({
    result,
    outDialState,
    hangupCause: code,
    cause: code === null ? (ev.causeText ?? null) : text(code),
    retry,
  });
  const dial = ev.dialStatus?.toUpperCase();

  // A number that does not exist, whatever the dial status: never retried.
  if (NOT_EXISTING.has(raw)) return fail('FAIL', dial ?? 'CHANUNAVAIL', raw, false);

  switch (dial) {
    case 'BUSY':
      return fail('FAIL', 'BUSY', raw || 17);
    case 'CONGESTION':
      return fail('FAIL', 'CONGESTION', raw || 34);
    case 'NOANSWER':
      return fail('FAIL', 'NOANSWER', raw || 19);
    case 'CHANUNAVAIL':
      return fail('FAIL_PROVIDER', 'CHANUNAVAIL', raw || null);
    case 'CANCEL':
      return fail('FAIL', 'CANCEL', raw || null);
  }

  // No final Dial status: read the cause on the channel itself (ring timeout, or a real SIP trunk).
  if (raw === 17 || raw === 21) return fail('FAIL', 'BUSY', raw);
  if (CONGESTION.has(raw)) return fail('FAIL', 'CONGESTION', raw);
  if (raw === 18 || raw === 19) return fail('FAIL', 'NOANSWER', raw);
  if (raw === 2 || raw === 3) return fail('FAIL_ROUTE', 'CHANUNAVAIL', raw);
  if (PROVIDER_DOWN.has(raw)) return fail('FAIL_PROVIDER', 'CHANUNAVAIL', raw);
  if (raw === 0 && ev.cause !== undefined && !ev.sawDial) return fail('FAIL_ROUTE', null, 0);
  if (ev.cause === undefined) return fail('FAIL', null, null);
  return fail('FAIL', null, raw);
}

/** Final dial statuses (RINGING, PROGRESS, "" are intermediate). */
export function isFinalDialStatus(s: string): boolean {
  return ['ANSWER', 'BUSY', 'CONGESTION', 'NOANSWER', 'CHANUNAVAIL', 'CANCEL', 'DONTCALL', 'TORTURE', 'INVALIDARGS'].includes(s.toUpperCase());
}
