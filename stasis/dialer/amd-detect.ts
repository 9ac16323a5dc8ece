import type { AriEvent } from '../ari/port.js';
import type { CallSession } from '../session/call-session.js';

/**
 * Telling an answering machine from a person by what Asterisk's TALK_DETECT hears on the answered channel
 * (ChannelTalkingStarted / ChannelTalkingFinished), as app_amd does with its greeting rules:
 * - a person says a short "hello" and waits, or says nothing;
 * - a machine talks on (a greeting of several seconds, then a beep).
 * Measured against app_amd on the real PBX by scripts/bench/amd-accuracy.ts.
 */
export interface AmdTuning {
  /** No speech this long after the answer: a person who waits for us to speak. */
  initialSilenceMs: number;
  /** Speech going on this long without a pause: a machine's greeting. */
  greetingMs: number;
  /** Quiet that ends a stretch of speech (TALK_DETECT's silence threshold). */
  silenceMs: number;
}

export const DEFAULT_AMD: AmdTuning = { initialSilenceMs: 2000, greetingMs: 2000, silenceMs: 700 };

export type AmdVerdict =
  | { kind: 'person'; why: 'silence' | 'short-greeting' | 'dtmf' | 'not-detected'; ms: number }
  | { kind: 'machine'; why: 'long-greeting'; ms: number; talkStartedMs: number }
  | { kind: 'gone'; ms: number };

type Heard = { kind: 'talk' } | { kind: 'quiet'; duration: number } | { kind: 'dtmf' };

function heard(e: AriEvent, channelId: string): Heard | undefined {
  if (e.type === 'ChannelDtmfReceived' && e.channel.id === channelId) return { kind: 'dtmf' };
  if (e.type === 'ChannelTalkingStarted' && e.channel.id === channelId) return { kind: 'talk' };
  if (e.type === 'ChannelTalkingFinished' && e.channel.id === channelId) return { kind: 'quiet', duration: e.duration };
  return undefined;
}

/**
 * Listen to the answered channel until it is clear what answered. Waits use the session (clock-scaled, ended by
 * hangup). `elapsed()` is nominal ms since the answer, for the verdict's `ms`.
 */
export async function detectMachine(session: CallSession, t: AmdTuning, elapsed: () => number): Promise<AmdVerdict> {
  const id = session.channelId;
  // A key pressed already (the session keeps every digit since the answer): only a person does that.
  if (session.digits.length > 0) return { kind: 'person', why: 'dtmf', ms: elapsed() };
  const started = session.waitFor((e) => heard(e, id), t.initialSilenceMs);
  const on = await session.ari.setVariable(id, 'TALK_DETECT(set)', String(t.silenceMs));
  if (!on.ok) {
    if (on.error === 'gone') return { kind: 'gone', ms: elapsed() };
    // Without talk detection nothing can be told: treat as a person (never hang up on a person by mistake).
    return { kind: 'person', why: 'not-detected', ms: elapsed() };
  }
  const first = await started;
  if (first === 'gone') return { kind: 'gone', ms: elapsed() };
  if (first === 'timeout') return { kind: 'person', why: 'silence', ms: elapsed() };
  if (first.kind === 'dtmf') return { kind: 'person', why: 'dtmf', ms: elapsed() };
  if (first.kind === 'quiet') return verdictOfQuiet(first.duration, t, elapsed, elapsed());
  const talkStartedMs = elapsed();
  // The end of speech is told only after `silenceMs` of quiet: a "hello" just under greetingMs ends that much later.
  const next = await session.waitFor((e) => {
    const h = heard(e, id);
    return h && h.kind !== 'talk' ? h : undefined;
  }, t.greetingMs + t.silenceMs);
  if (next === 'gone') return { kind: 'gone', ms: elapsed() };
  if (next === 'timeout') return { kind: 'machine', why: 'long-greeting', ms: elapsed(), talkStartedMs };
  if (next.kind === 'dtmf') return { kind: 'person', why: 'dtmf', ms: elapsed() };
  return verdictOfQuiet(next.duration, t, elapsed, talkStartedMs);
}

function verdictOfQuiet(duration: number, t: AmdTuning, elapsed: () => number, talkStartedMs: number): AmdVerdict {
  return duration >= t.greetingMs
    ? { kind: 'machine', why: 'long-greeting', ms: elapsed(), talkStartedMs }
    : { kind: 'person', why: 'short-greeting', ms: elapsed() };
}

/** The machine's greeting is over: TALK_DETECT heard the quiet after it, or `maxMs` passed. */
export async function greetingOver(session: CallSession, maxMs: number): Promise<'quiet' | 'timeout' | 'gone'> {
  const id = session.channelId;
  const r = await session.waitFor((e) => (e.type === 'ChannelTalkingFinished' && e.channel.id === id ? ('quiet' as const) : undefined), maxMs);
  return r;
}
