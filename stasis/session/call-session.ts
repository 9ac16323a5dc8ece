import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/logger.js';
import { channelIdsOf, type AriEvent, type AriPort } from '../ari/port.js';

/** Why a session ended: the far end hung up / the channel is gone, or we ended it. */
export interface CallEnd {
  cause?: number;
  causeText?: string;
  by: 'remote' | 'local';
}

/**
 * One call we own. Hangup aborts `signal`, which ends every wait. All waits subscribe synchronously
 * when called, so callers create the wait *before* sending the request that causes the event:
 *   const done = session.waitFor(e => …, 10_000); await ari.play(…); const r = await done;
 */
export interface CallSession {
  readonly channelId: string;
  readonly ari: AriPort;
  readonly clock: Clock;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** Set once the channel is gone (StasisEnd / ChannelDestroyed / ended locally). */
  readonly ended: CallEnd | undefined;
  /**
   * Every DTMF digit received on this channel so far, in order — so a key pressed before anyone listens
   * (e.g. between the answer and the first question) is not lost.
   */
  readonly digits: readonly string[];
  /** First value `match` returns; 'timeout' after nominal `timeoutMs` (clock-scaled); 'gone' when the call ends first. */
  waitFor<T>(match: (e: AriEvent) => T | undefined, timeoutMs: number): Promise<T | 'timeout' | 'gone'>;
  /** Listen to this call's events until the returned function is called or the session ends. */
  on(listener: (e: AriEvent) => void): () => void;
  /** Mark the session over (idempotent) and abort every wait. */
  end(end: CallEnd): void;
}

export class SessionRegistry {
  private readonly byChannel = new Map<string, CallSessionImpl>();
  constructor(
    private readonly ari: AriPort,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  get size() {
    return this.byChannel.size;
  }

  get(channelId: string): CallSession | undefined {
    return this.byChannel.get(channelId);
  }

  all(): CallSession[] {
    return [...this.byChannel.values()];
  }

  /** Create the session before originating, so events racing the HTTP answer are not lost. */
  create(channelId: string, logFields: Record<string, unknown> = {}): CallSession {
    const s = new CallSessionImpl(channelId, this.ari, this.clock, this.log.child({ channelId, ...logFields }), () => {
      this.byChannel.delete(channelId);
    });
    this.byChannel.set(channelId, s);
    return s;
  }

  /** True once the session's own channel was seen entering our app (StasisStart). */
  started(channelId: string): boolean {
    return this.byChannel.get(channelId)?.started ?? false;
  }

  /** Route an ARI event to the sessions it concerns; ends sessions whose channel is gone. */
  dispatch(e: AriEvent): void {
    for (const id of channelIdsOf(e)) {
      const s = this.byChannel.get(id);
      if (!s) continue;
      s.deliver(e);
      if (e.type === 'ChannelDestroyed') s.end({ cause: e.cause, causeText: e.cause_txt, by: 'remote' });
    }
  }
}

class CallSessionImpl implements CallSession {
  private readonly controller = new AbortController();
  private readonly listeners = new Set<(e: AriEvent) => void>();
  ended: CallEnd | undefined;
  started = false;
  readonly digits: string[] = [];

  constructor(
    readonly channelId: string,
    readonly ari: AriPort,
    readonly clock: Clock,
    readonly log: Logger,
    private readonly onEnd: () => void,
  ) {}

  get signal() {
    return this.controller.signal;
  }

  deliver(e: AriEvent) {
    if (e.type === 'ChannelDtmfReceived' && e.channel.id === this.channelId) this.digits.push(e.digit);
    if (e.type === 'StasisStart' && e.channel.id === this.channelId) this.started = true;
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch (err) {
        this.log.error({ err }, 'session listener failed');
      }
    }
  }

  on(listener: (e: AriEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  waitFor<T>(match: (e: AriEvent) => T | undefined, timeoutMs: number): Promise<T | 'timeout' | 'gone'> {
    if (this.ended) return Promise.resolve('gone');
    return new Promise((resolve) => {
      const finish = (v: T | 'timeout' | 'gone') => {
        clearTimeout(timer);
        off();
        this.signal.removeEventListener('abort', onAbort);
        resolve(v);
      };
      const onAbort = () => finish('gone');
      const off = this.on((e) => {
        const v = match(e);
        if (v !== undefined) finish(v);
      });
      const timer = setTimeout(() => finish('timeout'), this.clock.scaled(timeoutMs));
      this.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  end(end: CallEnd): void {
    if (this.ended) return;
    this.ended = end;
    this.controller.abort();
    this.listeners.clear();
    this.onEnd();
  }
}
