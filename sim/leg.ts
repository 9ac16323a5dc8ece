/**
 * One dialed call: the dialer's channel (;1), the far end's half (;2, absent on a SIP trunk) and
 * the scripted far-end behaviour. Every method emits the events in the order Asterisk 22 did in
 * the recordings (observed.md §2A/B/C); the comments name the recorded row.
 */
import { scheduleTalk } from './talk.js';
import type { CallRecord } from './call-log.js';
import type { SimChannel } from './channel.js';
import type { Engine } from './engine.js';
import type { CustomerScenario } from './world.js';

export interface LegOptions {
  mode: 'originate' | 'create';
  /** 'outgoing': the PBX route runs an inner Dial whose events the app also sees (§2B). */
  via: 'direct' | 'outgoing';
  inner?: SimChannel;
  app: string;
  args: string[];
  scenario: CustomerScenario | { kind: 'queue'; queue: string } | { kind: 'utility' };
  timeoutMs: number;
  record?: CallRecord;
  onRinging?: () => void;
  onAnswer?: () => void;
  onEnd?: () => void;
}

const legs = new WeakMap<SimChannel, Leg>();
export const legOf = (ch: SimChannel): Leg | undefined => legs.get(ch);

export class Leg {
  answered = false;
  /** Dial has returned (answer or failure): the originate timeout no longer applies. */
  settled = false;
  dialing = false;
  outcome = '';
  /** Hook for queue entry (Local/900x@internal): set by queues.ts. */
  startCustom: ((leg: Leg) => void) | undefined;

  constructor(
    readonly engine: Engine,
    readonly ch1: SimChannel,
    readonly ch2: SimChannel | undefined,
    readonly opts: LegOptions,
  ) {
    legs.set(ch1, this);
    if (ch2) legs.set(ch2, this);
    ch1.onDestroy.push((cause) => {
      const r = opts.record;
      if (r) {
        r.endedAt = Date.now();
        r.cause = cause;
        r.outcome = this.outcome || (this.answered ? 'answered' : 'hangup');
      }
      opts.onEnd?.();
    });
  }

  private h2(cause: number, soft = false): void {
    if (this.ch2) this.engine.hangupRequest(this.ch2, cause, soft);
  }
  private d2(cause: number): void {
    if (this.ch2) this.engine.destroy(this.ch2, cause);
  }
  private inner(status: string): void {
    if (this.opts.via === 'outgoing' && this.opts.inner && this.ch2) this.engine.dial(this.opts.inner, status, this.ch2);
  }

  /** Start dialing: Dial("") then the far end's script. */
  start(): void {
    const { engine, ch1, opts } = this;
    this.dialing = true;
    if (opts.scenario.kind === 'noRoute') return this.noRoute();
    engine.dial(ch1, '');
    if (this.ch2) engine.dialplanStep(this.ch2, 'NoOp', `Simulated far end ${this.ch2.dialplan.exten}`);
    this.inner('');
    engine.schedule(ch1, opts.timeoutMs, () => this.timeout());
    const s = opts.scenario;
    switch (s.kind) {
      case 'answer': {
        if (s.ringing) this.ring();
        const t = engine.jitter(s.answerAfterMs ?? 0);
        if (opts.record) opts.record.scriptedAnswerMs = t;
        if (t > 0) engine.schedule(ch1, t, () => this.answer());
        else this.answer();
        return;
      }
      case 'utility':
        return this.answer();
      case 'queue':
        return this.startCustom?.(this);
      case 'noAnswer':
        this.ring();
        engine.schedule(ch1, s.ringForeverMs ?? 60_000, () => this.failUnanswered(19, 'NOANSWER', 'noAnswer'));
        return;
      case 'busy':
        return this.busy();
      case 'congestion':
        return this.congestion();
      case 'unallocated':
        return this.failUnanswered(1, 'NOANSWER', 'unallocated');
      case 'providerDown':
        return this.failUnanswered(38, 'CHANUNAVAIL', 'providerDown');
    }
  }

  ring(): void {
    if (this.settled) return;
    this.engine.setState(this.ch1, 'Ringing');
    this.inner('RINGING');
    this.engine.dial(this.ch1, 'RINGING');
    this.opts.onRinging?.();
  }

  /** A0/A1: [;2 Up] ;1 Up → Dial(ANSWER) → StasisStart(Up); C1: no StasisStart (already in Stasis). */
  answer(): void {
    const { engine, ch1, opts } = this;
    if (this.settled || !ch1.alive) return;
    this.settled = true;
    this.answered = true;
    this.outcome = 'answered';
    if (opts.record) opts.record.answeredAt = Date.now();
    this.inner('ANSWER');
    if (this.ch2) engine.setState(this.ch2, 'Up');
    engine.setState(ch1, 'Up');
    engine.dial(ch1, 'ANSWER');
    opts.onAnswer?.();
    if (opts.mode === 'originate' && opts.app) {
      if (!engine.bus.isRegistered(opts.app)) {
        // "Stasis app … doesn't exist": the answered call is dropped.
        this.remoteHangup(16);
        return;
      }
      engine.enterStasis(ch1, opts.app, opts.args);
    }
    const s = opts.scenario;
    if (s.kind !== 'answer') return;
    for (const step of s.dtmf ?? []) engine.schedule(ch1, step.afterAnswerMs, () => engine.emitDtmf(ch1, step.digits));
    scheduleTalk(engine, ch1, s.talk);
    engine.schedule(ch1, engine.jitter(s.hangupAfterMs ?? 600_000), () => this.remoteHangup(16));
  }

  /** A2: ;2 Busy → Dial(BUSY) → ;1 Destroyed 0, ;2 Destroyed 17 after. C2: channel stays until Busy(5) ends. */
  busy(): void {
    const { engine, ch1 } = this;
    this.settled = true;
    this.outcome = 'busy';
    this.inner('BUSY');
    if (this.opts.mode === 'create') {
      engine.dial(ch1, 'BUSY');
      engine.schedule(ch1, 5000, () => this.hangBoth(17));
      return;
    }
    if (!this.ch2) {
      engine.dial(ch1, 'BUSY');
      return this.hangBoth(17);
    }
    // Busy() sets the ;2 state before the indication reaches ;1 (every one of 6 recordings on 22.10.1)
    engine.setState(this.ch2, 'Busy');
    engine.dial(ch1, 'BUSY');
    this.h2(0);
    engine.destroy(ch1, 0);
    this.h2(16, true);
    this.d2(17);
  }

  /** A4: ;2 Busy → Dial(CONGESTION) → ;1 Destroyed 0, ;2 Destroyed 34. */
  congestion(): void {
    const { engine, ch1 } = this;
    this.settled = true;
    this.outcome = 'congestion';
    this.inner('CONGESTION');
    if (this.opts.mode === 'create') {
      engine.dial(ch1, 'CONGESTION');
      engine.schedule(ch1, 5000, () => this.hangBoth(34));
      return;
    }
    if (!this.ch2) {
      engine.dial(ch1, 'CONGESTION');
      return this.hangBoth(34);
    }
    engine.setState(this.ch2, 'Busy');
    engine.dial(ch1, 'CONGESTION');
    this.h2(0);
    if (this.opts.via === 'outgoing') {
      // B4: through the PBX route the ;2 goes first.
      this.h2(16, true);
      this.d2(34);
      engine.destroy(ch1, 0);
      return;
    }
    engine.destroy(ch1, 0);
    this.h2(16, true);
    this.d2(34);
  }

  /** A8: ;2 HangupRequest(16,soft) → ;1 HangupRequest(cause) → Dial(status) → Destroyed(cause) both. */
  failUnanswered(cause: number, status: string, outcome: string): void {
    const { engine, ch1 } = this;
    if (this.settled) return;
    this.settled = true;
    this.outcome = outcome;
    this.inner(status);
    if (this.opts.mode === 'create') {
      // C8: no final Dial event.
      if (status === 'CHANUNAVAIL') engine.dial(ch1, status);
      return this.hangBoth(cause);
    }
    this.h2(16, true);
    engine.hangupRequest(ch1, cause);
    if (this.opts.via === 'outgoing') this.d2(cause); // B8: ;2 is gone before the final Dial
    engine.dial(ch1, status);
    engine.destroy(ch1, cause);
    this.d2(cause);
  }

  /** AN1: only ChannelDestroyed 0 on both halves (originate); CN1: StasisEnd, Destroyed 16. */
  noRoute(): void {
    this.settled = true;
    this.outcome = 'noRoute';
    if (this.opts.mode === 'create') return this.hangBoth(16, false);
    this.d2(0);
    this.engine.destroy(this.ch1, 0);
  }

  /** A3: the originate timeout: no final Dial, Destroyed 19. C3: HangupRequest(32,soft) first. */
  timeout(): void {
    const { engine, ch1 } = this;
    if (this.settled) return;
    this.settled = true;
    this.outcome = 'noAnswer';
    if (this.opts.mode === 'create') {
      engine.hangupRequest(ch1, 32, true);
      engine.destroy(ch1, 19);
      this.d2(19);
      return;
    }
    this.h2(19);
    engine.destroy(ch1, 19);
    this.inner('CANCEL');
    this.h2(16, true);
    this.d2(19);
  }

  /** A1/A5: the far end hangs up an answered call. */
  remoteHangup(cause: number): void {
    const { engine, ch1 } = this;
    if (!ch1.alive) return this.d2(cause);
    if (this.opts.mode === 'create' || !this.ch2) return this.hangBoth(cause);
    this.h2(cause, true);
    engine.hangupRequest(ch1, cause);
    this.d2(cause);
    engine.destroy(ch1, cause);
  }

  /** DELETE /channels/{;1}: A0 (answered) and AN4 (still ringing). */
  appHangup(cause: number): void {
    const { engine, ch1 } = this;
    const ringing = this.dialing && !this.settled;
    this.settled = true;
    if (!this.outcome) this.outcome = ringing ? 'cancelled' : 'hangup';
    engine.hangupRequest(ch1, 32, true);
    if (ringing) engine.dial(ch1, 'NOANSWER');
    if (this.opts.mode === 'create' || !this.ch2) {
      engine.destroy(ch1, cause);
      this.d2(cause);
      return;
    }
    if (ringing) this.h2(16);
    // A0: StasisEnd, then the ;2 hangup request (with the reason's cause: 17 for ?reason=busy), then ;1 ChannelDestroyed.
    engine.destroy(ch1, cause, ringing ? undefined : () => this.h2(cause));
    this.h2(16, true);
    this.d2(ringing ? 16 : cause);
  }

  /** The far end's script hangs up both halves (create+dial mode, SIP trunk). */
  private hangBoth(cause: number, request = true): void {
    if (request) this.engine.hangupRequest(this.ch1, cause);
    this.engine.destroy(this.ch1, cause);
    this.d2(cause);
  }
}
