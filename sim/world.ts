/**
 * The scripted world: how customers (by number) and agents (by extension) behave. Defaults mirror
 * the recording set-up of observed.md §1/§5 (customer behaviour by the number's last digit) so a
 * demo works with no set-up; tests and the /sim/ control API override per number / extension.
 */
import type { RecordingScript } from './recordings.js';
import type { TalkStep } from './talk.js';

export interface DtmfStep {
  afterAnswerMs: number;
  digits: string;
}

/**
 * What the far end does. `answer` may ring first (ringing:true shows Ringing / Dial(RINGING)).
 * `providerDown` models an unreachable trunk: Dial(CHANUNAVAIL) and cause 38 "Network out of
 * order" on the dialer channel itself (documented choice; no recording exists for it).
 */
export type CustomerScenario =
  | {
      kind: 'answer';
      answerAfterMs?: number;
      ringing?: boolean;
      dtmf?: DtmfStep[];
      /** The far end's speech, as TALK_DETECT sees it (answering-machine detection). */
      talk?: TalkStep[];
      /** Remote hangup (cause 16) this long after answer; omitted = stays on the line 600 s. */
      hangupAfterMs?: number;
      /** What the customer does while the app records the call (each recording): keys, and how long they speak. */
      duringRecording?: RecordingScript;
    }
  | { kind: 'noAnswer'; /** Far end gives up (Hangup(19)) after this long; default 60 s. */ ringForeverMs?: number }
  | { kind: 'busy' }
  | { kind: 'congestion' }
  | { kind: 'unallocated' }
  | { kind: 'noRoute' }
  | { kind: 'providerDown' };

export interface AgentBehaviour {
  answerAfterMs: number;
  busy?: boolean;
  noAnswer?: boolean;
  offline?: boolean;
  /** Agent hangs up this long after answering (default 600 s, as Wait(600)). */
  hangupAfterMs?: number;
}

export type TrunkMode = 'local' | 'sip';

/** Customer behaviour of the recording dialplan, chosen by the last digit (observed.md §1). */
export function defaultScenario(number: string): CustomerScenario {
  const last = number.slice(-1);
  switch (last) {
    case '0':
      return { kind: 'answer', ringing: true, answerAfterMs: 2000, hangupAfterMs: 30_000 };
    case '1':
      return { kind: 'answer', dtmf: [{ afterAnswerMs: 1700, digits: '1' }], hangupAfterMs: 6960 };
    case '2':
      return { kind: 'busy' };
    case '3':
      return { kind: 'noAnswer', ringForeverMs: 60_000 };
    case '4':
      return { kind: 'congestion' };
    case '5':
      return { kind: 'answer', hangupAfterMs: 500 };
    case '6':
      return {
        kind: 'answer',
        dtmf: [
          { afterAnswerMs: 1700, digits: '3' },
          { afterAnswerMs: 3150, digits: '9' },
        ],
        hangupAfterMs: 6410,
      };
    case '7':
      return { kind: 'answer', ringing: true, answerAfterMs: 3000, hangupAfterMs: 60_000 };
    case '8':
      return { kind: 'unallocated' };
    case '9':
      // Answering machine: Wait(0.5), a 5.3 s greeting and a beep, Wait(10). Its speech reaches TALK_DETECT
      // 1.06 s after the answer; no Finished follows (no frames during Wait; observed on 22.10.1).
      return { kind: 'answer', hangupAfterMs: 16_750, talk: [{ afterAnswerMs: 1060, durationMs: 5800 }] };
    default:
      return { kind: 'noRoute' };
  }
}

export function defaultAgents(): Map<string, AgentBehaviour> {
  return new Map<string, AgentBehaviour>([
    ['201', { answerAfterMs: 1000, hangupAfterMs: 600_000 }],
    ['202', { answerAfterMs: 1000, hangupAfterMs: 600_000 }],
    ['203', { answerAfterMs: 3000, hangupAfterMs: 600_000 }],
    ['204', { answerAfterMs: 0, busy: true }],
  ]);
}

export function agentScenario(a: AgentBehaviour): CustomerScenario {
  if (a.offline) return { kind: 'providerDown' };
  if (a.busy) return { kind: 'busy' };
  if (a.noAnswer) return { kind: 'noAnswer', ringForeverMs: 3_600_000 };
  return { kind: 'answer', ringing: true, answerAfterMs: a.answerAfterMs, hangupAfterMs: a.hangupAfterMs ?? 600_000 };
}

/** Numbers: strip a leading '+'; customers are keyed by the digits. */
export function customerKey(number: string): string {
  return number.replace(/^\+/, '');
}

export class WorldConfig {
  readonly customers = new Map<string, CustomerScenario>();
  readonly agents = defaultAgents();
  trunkMode: TrunkMode = 'local';
  /** `Local/<5+ digits>@outgoing` without a trunk prefix reaches the customer (false = no route, as recorded). */
  outgoingDefaultRoute = true;
  /** Up to this much extra delay (from the seeded PRNG) on scripted answers and hangups; 0 = exact. */
  jitterMs = 0;
  /** Emit some of Asterisk's ChannelVarset / ChannelDialplan chatter (on by default, as on the wire). */
  noise = true;
  /** Asterisk's spool dir: finished wav recordings are written to `<spoolDir>/recording/<name>.wav`; unset = no files. */
  spoolDir: string | undefined = undefined;

  scenarioFor(number: string): CustomerScenario {
    return this.customers.get(customerKey(number)) ?? defaultScenario(number);
  }
}
