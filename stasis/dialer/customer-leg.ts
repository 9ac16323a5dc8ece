import type { AriEvent } from '../ari/port.js';
import type { CallSession } from '../session/call-session.js';
import { isFinalDialStatus, type UnansweredEvidence } from './classify.js';

/**
 * Follows one leg we originated (customer or agent) and collects what the wire says about it. Must be
 * attached right after the session is created and before the originate request: events can arrive before
 * the HTTP answer.
 */
export class LegEvidence implements UnansweredEvidence {
  dialStatus?: string;
  sawDial = false;
  cause?: number;
  causeText?: string;
  hangupRequestCause?: number;
  answered = false;

  constructor(private readonly channelId: string) {}

  /** Feed one event (only events for this leg are routed here by the session registry). */
  readonly see = (e: AriEvent): void => {
    switch (e.type) {
      case 'Dial':
        if (e.peer.id !== this.channelId) return;
        this.sawDial = true;
        if (e.dialstatus && isFinalDialStatus(e.dialstatus)) this.dialStatus = e.dialstatus.toUpperCase();
        return;
      case 'ChannelHangupRequest':
        // soft=true carries an AST_SOFTHANGUP_* flag (32 = our DELETE), not a Q.850 cause.
        if (!e.soft && e.cause !== undefined && e.cause > 0) this.hangupRequestCause = e.cause;
        return;
      case 'ChannelDestroyed':
        if (e.channel.id !== this.channelId) return;
        this.cause = e.cause;
        this.causeText = e.cause_txt;
        return;
      case 'StasisStart':
        if (e.channel.id === this.channelId) this.answered = true;
        return;
    }
  };

  static follow(session: CallSession): LegEvidence {
    const ev = new LegEvidence(session.channelId);
    session.on(ev.see);
    return ev;
  }
}

/** 'answered' when the originated leg enters our app (in originate mode that means it was answered). */
export function waitAnswered(session: CallSession, nominalMs: number): Promise<'answered' | 'timeout' | 'gone'> {
  return session.waitFor((e) => (e.type === 'StasisStart' && e.channel.id === session.channelId ? ('answered' as const) : undefined), nominalMs);
}

// Shared with inbound calls (stasis/inbound): ending a session is not the dialer's alone.
export { hangupAndWait, whenEnded } from '../session/ending.js';
