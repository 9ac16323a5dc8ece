/**
 * Shared state of the simulated Asterisk and the primitive channel operations that emit events.
 * Call flows (calls.ts), playbacks, bridges and queues build on these primitives.
 */
import { CallLog } from './call-log.js';
import { causeText } from './causes.js';
import { SimChannel, type ChannelState, type DialplanLoc } from './channel.js';
import type { SimClock } from './clock.js';
import { EventBus } from './events.js';
import type { WorldConfig } from './world.js';

export class Engine {
  readonly channels = new Map<string, SimChannel>();
  readonly globals = new Map<string, string>();
  readonly callLog = new CallLog();
  readonly bus = new EventBus();
  /** Run when a channel goes away, before StasisEnd: stop its playbacks, take it out of bridges. */
  readonly channelGoneHooks: Array<(ch: SimChannel) => void> = [];
  private localSeq = 0;
  private uniqueSeq = 0;
  private callSeq = 0;
  private readonly epoch = Math.floor(Date.now() / 1000);

  constructor(
    readonly clock: SimClock,
    readonly world: WorldConfig,
  ) {}

  /** Asterisk-style unique id "1795563432.64" for channels the dialplan creates. */
  uniqueId(): string {
    return `${this.epoch}.${this.uniqueSeq++}`;
  }

  /** The "-0000002a" suffix Asterisk gives each Local channel pair. */
  localSuffix(): string {
    return (++this.localSeq).toString(16).padStart(8, '0');
  }

  newChannel(id: string, name: string, dialplan: DialplanLoc): SimChannel {
    const ch = new SimChannel(id, name, dialplan, ++this.callSeq);
    this.channels.set(id, ch);
    return ch;
  }

  emitChannel(type: string, ch: SimChannel, extra: Record<string, unknown> = {}): void {
    this.bus.emit({ type, ...extra, channel: ch.toJSON() }, [`channel:${ch.id}`]);
  }

  setState(ch: SimChannel, state: ChannelState): void {
    if (!ch.alive || ch.state === state) return;
    ch.state = state;
    this.emitChannel('ChannelStateChange', ch);
  }

  dial(peer: SimChannel, dialstatus: string, caller?: SimChannel): void {
    const body: Record<string, unknown> & { type: string } = {
      type: 'Dial',
      dialstatus,
      forward: '',
      dialstring: `${peer.dialplan.exten}@${peer.dialplan.context}`,
      peer: peer.toJSON(),
    };
    const sources = [`channel:${peer.id}`];
    if (caller) {
      body.caller = caller.toJSON();
      sources.push(`channel:${caller.id}`);
    }
    this.bus.emit(body, sources);
  }

  hangupRequest(ch: SimChannel, cause: number, soft = false): void {
    if (!ch.alive) return;
    this.emitChannel('ChannelHangupRequest', ch, soft ? { cause, soft: true } : { cause });
  }

  enterStasis(ch: SimChannel, app: string, args: string[]): void {
    ch.stasisApp = app;
    ch.stasisArgs = args;
    ch.dialplan = { ...ch.dialplan, app_name: 'Stasis', app_data: [app, ...args].join(',') };
    this.bus.subscribe(app, `channel:${ch.id}`);
    this.varset(ch, 'STASISSTATUS', '');
    this.emitChannel('StasisStart', ch, { args });
  }

  leaveStasis(ch: SimChannel): void {
    if (!ch.stasisApp) return;
    ch.stasisApp = undefined;
    this.emitChannel('StasisEnd', ch);
    this.varset(ch, 'STASISSTATUS', 'SUCCESS');
  }

  /** Asterisk surrounds calls with ChannelVarset/ChannelDialplan chatter; apps must filter it (observed.md §4.2). */
  varset(ch: SimChannel, variable: string, value: string): void {
    if (this.world.noise) this.emitChannel('ChannelVarset', ch, { variable, value });
  }

  dialplanStep(ch: SimChannel, app: string, data: string): void {
    if (this.world.noise) this.emitChannel('ChannelDialplan', ch, { dialplan_app: app, dialplan_app_data: data });
  }

  /** Destroy: playbacks fail, bridge left, StasisEnd, then ChannelDestroyed — Asterisk's order. */
  destroy(ch: SimChannel, cause: number, afterStasisEnd?: () => void): void {
    if (!ch.alive) return;
    ch.cancelScript();
    for (const hook of this.channelGoneHooks) hook(ch);
    this.leaveStasis(ch);
    afterStasisEnd?.();
    ch.alive = false;
    this.channels.delete(ch.id);
    this.bus.emit({ type: 'ChannelDestroyed', cause, cause_txt: causeText(cause), channel: ch.toJSON() }, [
      `channel:${ch.id}`,
    ]);
    this.bus.forget(`channel:${ch.id}`);
    for (const fn of ch.onDestroy) fn(cause);
  }

  /** Schedule scripted behaviour for a channel; cancelled automatically when it is destroyed. */
  schedule(ch: SimChannel, ms: number, fn: () => void): void {
    if (ms === Infinity) return;
    const cancel = this.clock.after(ms, () => {
      ch.cancels.delete(cancel);
      if (ch.alive) fn();
    });
    ch.cancels.add(cancel);
  }

  /** A scripted delay plus seeded jitter (world.jitterMs); zero stays zero so "at once" stays at once. */
  jitter(ms: number): number {
    return ms > 0 && this.world.jitterMs > 0 ? ms + Math.floor(this.clock.random() * this.world.jitterMs) : ms;
  }

  emitDtmf(ch: SimChannel, digits: string): void {
    let delay = 0;
    for (const digit of digits) {
      if (delay === 0) this.emitChannel('ChannelDtmfReceived', ch, { digit, duration_ms: 100 });
      else this.schedule(ch, delay, () => this.emitChannel('ChannelDtmfReceived', ch, { digit, duration_ms: 100 }));
      delay += 350;
    }
  }
}
