import type { EventSink } from '../../src/events/types.js';
import type { Logger } from '../../src/logger.js';
import type { AriPort } from '../ari/port.js';

/**
 * Free agents per extension / queue, read the way a real Asterisk allows: dialplan functions evaluated on a
 * channel (GET /asterisk/variable does not evaluate functions). A never-dialed utility channel
 * (`Local/echo@dialer-misc`, created with channels/create) serves for reads outside calls.
 * - extension: DEVICE_STATE(<agent device>) == NOT_INUSE → 1 free, else 0; kept current by DeviceStateChanged.
 * - queue: QUEUE_MEMBER(<queue>,free); re-read on any device state change and when our own calls change.
 * A target is a queue when DIALER_QUEUES lists it, or when QUEUE_EXISTS(<target>) answers 1; detected once per
 * target. (QUEUE_MEMBER(<not a queue>,count) is no test: a real app_queue answers "0" with success and only
 * logs "queue not found", so every extension would pass for a queue with no free member and never be dialed.)
 * Without app_queue, QUEUE_EXISTS itself fails (500): then nothing is a queue unless DIALER_QUEUES says so.
 */
export interface AgentOptions {
  ari: AriPort;
  log: Logger;
  queues: readonly string[];
  agentDevice: string; // e.g. "PJSIP/{exten}"
  utilityEndpoint: string;
  onChange: () => void;
  /** agent.state is published here whenever a target's free count changes. */
  events?: EventSink;
}

export type AgentRead = { status: 'ok'; free: number } | { status: 'gone' } | { status: 'failed' };

export class AgentAvailability {
  private readonly free = new Map<string, number>();
  private readonly watched = new Set<string>();
  private readonly reading = new Map<string, Promise<number | undefined>>();
  private readonly deviceToExten = new Map<string, string>();
  private utilityId: string | undefined;
  private utilityPending: Promise<string | undefined> | undefined;
  private queueRefreshQueued = false;
  private readonly detected = new Map<string, boolean>();
  /** Per extension, bumped by its device state events: a read that started before the last one is stale. */
  private readonly versions = new Map<string, number>();
  private versionOf(target: string) {
    return this.versions.get(target) ?? 0;
  }

  constructor(private readonly o: AgentOptions) {
    for (const q of o.queues) this.detected.set(q, true);
  }

  isQueue(target: string) {
    return this.detected.get(target) === true;
  }
  deviceOf(exten: string) {
    return this.o.agentDevice.replaceAll('{exten}', exten);
  }
  /** Last known free-agent count, or undefined while unknown. */
  known(target: string): number | undefined {
    return this.free.get(target);
  }

  /** Start following a target (subscribe to its device state, first read). Idempotent and cheap. */
  watch(target: string): void {
    if (this.watched.has(target)) return;
    this.watched.add(target);
    if (this.detected.has(target)) this.follow(target);
    else void this.detect(target).then(() => (this.detected.has(target) ? this.follow(target) : this.watched.delete(target)));
  }

  private async detect(target: string): Promise<void> {
    const on = await this.utility();
    const r = on ? await this.o.ari.getVariable(on, `QUEUE_EXISTS(${target})`) : undefined;
    // Asterisk unreachable or not ready (no answer, 503 while booting, the utility channel gone): ask again later.
    if (!r || (!r.ok && (r.error === 'gone' || r.status === 0 || r.status === 503))) return;
    const isQueue = r.ok && r.value.trim() === '1';
    this.detected.set(target, isQueue);
    this.o.log.info({ target, kind: isQueue ? 'queue' : 'extension', device: isQueue ? undefined : this.deviceOf(target) }, 'agent target detected');
  }

  private follow(target: string): void {
    if (!this.isQueue(target)) {
      const dev = this.deviceOf(target);
      this.deviceToExten.set(dev, target);
      void this.o.ari.subscribe([`deviceState:${dev}`]).then((r) => {
        if (!r.ok) this.o.log.warn({ device: dev, r }, 'could not subscribe to device state');
      });
    } else {
      void this.subscribeQueueMembers(target);
    }
    void this.refresh(target);
  }

  /** Re-read every followed target (on reconnect and on the safety tick). */
  refreshAll(): void {
    for (const t of this.watched) if (this.detected.has(t)) void this.refresh(t);
  }

  /** Our own call to a target changed (agent leg rung, ended): queues must be re-read. */
  ownCallChanged(target: string): void {
    if (this.isQueue(target)) void this.refresh(target);
  }

  /**
   * Fresh read of a target, e.g. when one of our calls was just bridged and stops counting as pending: the
   * cached count may not show that agent as busy yet, so pacing must wait for this read, not use the cache.
   */
  async reread(target: string): Promise<void> {
    const started = this.versionOf(target);
    const v = await this.readNow(target);
    if (v !== undefined && started === this.versionOf(target)) this.setFree(target, v);
  }

  /** Store a target's free count; answers whether it changed (and then announces it). */
  private setFree(target: string, v: number): boolean {
    if (this.free.get(target) === v) return false;
    this.free.set(target, v);
    this.o.events?.publish({ type: 'agent.state', target, free: v });
    return true;
  }

  forgetUtilityChannel(): void {
    this.utilityId = undefined;
  }

  onDeviceState(name: string, state: string): void {
    const exten = this.deviceToExten.get(name);
    if (exten !== undefined) {
      this.versions.set(exten, this.versionOf(exten) + 1);
      if (this.setFree(exten, state === 'NOT_INUSE' ? 1 : 0)) this.o.onChange();
    }
    // Any device may be a queue member: re-read queues once per burst of events.
    if (!this.queueRefreshQueued && [...this.watched].some((t) => this.isQueue(t))) {
      this.queueRefreshQueued = true;
      setImmediate(() => {
        this.queueRefreshQueued = false;
        for (const t of this.watched) if (this.isQueue(t)) void this.refresh(t);
      });
    }
  }

  /** Read a target's free agents now, evaluated on `channelId` (e.g. the answered customer) or the utility channel. */
  async readNow(target: string, channelId?: string): Promise<number | undefined> {
    const r = await this.read(target, channelId);
    return r.status === 'ok' ? r.free : undefined;
  }

  /**
   * Like readNow, but says why a read failed: 'gone' when the channel it was evaluated on (the customer's)
   * no longer exists, 'failed' for anything else (Asterisk slow or unreachable).
   */
  async read(target: string, channelId?: string): Promise<AgentRead> {
    const fn = this.isQueue(target) ? `QUEUE_MEMBER(${target},free)` : `DEVICE_STATE(${this.deviceOf(target)})`;
    let on = channelId ?? (await this.utility());
    if (!on) return { status: 'failed' };
    let r = await this.o.ari.getVariable(on, fn);
    if (!r.ok && r.error === 'gone' && !channelId) {
      this.utilityId = undefined;
      on = await this.utility();
      if (!on) return { status: 'failed' };
      r = await this.o.ari.getVariable(on, fn);
    }
    if (!r.ok) return { status: r.error === 'gone' && channelId ? 'gone' : 'failed' };
    if (this.isQueue(target)) {
      const n = Number.parseInt(r.value, 10);
      return { status: 'ok', free: Number.isFinite(n) && n > 0 ? n : 0 };
    }
    return { status: 'ok', free: r.value.trim().toUpperCase() === 'NOT_INUSE' ? 1 : 0 };
  }

  private refresh(target: string): Promise<number | undefined> {
    const pending = this.reading.get(target);
    if (pending) return pending;
    const started = this.versionOf(target);
    const p = this.readNow(target)
      .then((v) => {
        // An extension's state from a newer event wins over a read that was answered before it.
        if (started !== this.versionOf(target)) return v;
        if (v !== undefined && this.setFree(target, v)) this.o.onChange();
        return v;
      })
      .finally(() => this.reading.delete(target));
    this.reading.set(target, p);
    return p;
  }

  private async subscribeQueueMembers(queue: string) {
    const on = await this.utility();
    if (!on) return;
    const r = await this.o.ari.getVariable(on, `QUEUE_MEMBER_LIST(${queue})`);
    if (!r.ok || !r.value) return;
    const devices = r.value.split(',').map((s) => s.trim()).filter(Boolean);
    if (devices.length) await this.o.ari.subscribe(devices.map((d) => `deviceState:${d}`));
  }

  /** The utility channel's id, creating it when needed. */
  utility(): Promise<string | undefined> {
    if (this.utilityId) return Promise.resolve(this.utilityId);
    if (this.utilityPending) return this.utilityPending;
    const id = `dlr-util-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    this.utilityPending = this.o.ari
      .createChannel({ channelId: id, endpoint: this.o.utilityEndpoint })
      .then((r) => {
        if (!r.ok) {
          this.o.log.error({ endpoint: this.o.utilityEndpoint, r }, 'could not create the utility channel');
          return undefined;
        }
        this.utilityId = id;
        return id;
      })
      .finally(() => (this.utilityPending = undefined));
    return this.utilityPending;
  }

  async close(): Promise<void> {
    const id = this.utilityId;
    this.utilityId = undefined;
    if (id) await this.o.ari.hangup(id);
  }
}
