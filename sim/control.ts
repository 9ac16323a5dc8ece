/**
 * Scripting the world from a test (in-process `world`) or another process (HTTP under /sim/,
 * outside /ari so the dialer can never reach it by accident).
 *
 *   GET  /sim/calls                       call log witness (+ duplicates, overlaps)
 *   PUT  /sim/customers/{number}          body: CustomerScenario  (DELETE: back to the last-digit default)
 *   PUT  /sim/agents/{ext}                body: Partial<AgentBehaviour>
 *   PUT  /sim/trunk?mode=local|sip
 *   PUT  /sim/queues/{queue}/members      body: {"members": ["201","202"]}
 *   GET  /sim/channels                    live channels
 *   POST /sim/channels/{id}/dtmf?digits=1 the far end presses digits now (events on that channel)
 *   POST /sim/channels/{id}/hangup?cause=16 the far end hangs up now
 *   GET  /sim/stats                       channels, events delivered, event-loop lag (DELETE resets the lag)
 *   GET|PUT /sim/config                   {trunkMode, jitterMs, noise, outgoingDefaultRoute}
 *   POST /sim/reset                       forget customer scenarios, agent changes and the call log
 *   POST /sim/inbound                     body: InboundCallSpec; a caller dials in: Stasis(app,inbound,exten)
 *   GET  /sim/inbound                     inbound calls placed (answered, ended, by whom)
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { CallRecord } from './call-log.js';
import type { SimContext } from './context.js';
import type { ControlHandler } from './http-server.js';
import type { SimEvent } from './events.js';
import { placeInboundCall, type InboundCallSpec, type InboundRecord } from './inbound.js';
import { legOf } from './leg.js';
import { defaultAgents, type AgentBehaviour, type CustomerScenario, type TrunkMode } from './world.js';

const SCENARIO_KINDS = ['answer', 'noAnswer', 'busy', 'congestion', 'unallocated', 'noRoute', 'providerDown'];

export class SimWorld {
  private readonly lag = monitorEventLoopDelay({ resolution: 1 });
  /** Inbound calls placed with inboundCall(), in order. */
  readonly inboundCalls: InboundRecord[] = [];
  constructor(private readonly ctx: SimContext) {
    this.lag.enable();
  }

  /** Load figures of the simulator's own process (GET /sim/stats). */
  stats() {
    const ms = (n: number) => Math.round((n / 1e6) * 10) / 10;
    return {
      channels: this.ctx.engine.channels.size,
      eventsDelivered: this.ctx.engine.bus.delivered,
      eventLoopLagMs: { p50: ms(this.lag.percentile(50)), p99: ms(this.lag.percentile(99)), max: ms(this.lag.max) },
    };
  }
  resetStats(): void {
    this.lag.reset();
  }
  close(): void {
    this.lag.disable();
  }

  get config() {
    return this.ctx.engine.world;
  }
  setCustomer(number: string, scenario: CustomerScenario): void {
    if (!SCENARIO_KINDS.includes(scenario.kind)) throw new Error(`scenario.kind must be one of ${SCENARIO_KINDS.join(', ')}`);
    this.config.customers.set(number.replace(/^\+/, ''), scenario);
  }
  clearCustomer(number: string): void {
    this.config.customers.delete(number.replace(/^\+/, ''));
  }
  setAgent(ext: string, patch: Partial<AgentBehaviour>): void {
    const cur = this.config.agents.get(ext) ?? { answerAfterMs: 1000 };
    this.config.agents.set(ext, { ...cur, ...patch });
    this.ctx.devices.refresh(`PJSIP/${ext}`);
  }
  setTrunkMode(mode: TrunkMode): void {
    if (mode !== 'local' && mode !== 'sip') throw new Error('trunk mode must be local or sip');
    this.config.trunkMode = mode;
  }
  /** Partial update of trunkMode, jitterMs, noise, outgoingDefaultRoute; checks every field first. */
  configure(patch: Record<string, unknown>): void {
    const known = ['trunkMode', 'jitterMs', 'noise', 'outgoingDefaultRoute'];
    for (const k of Object.keys(patch)) if (!known.includes(k)) throw new Error(`${k}: unknown setting (known: ${known.join(', ')})`);
    const { trunkMode, jitterMs, noise, outgoingDefaultRoute } = patch;
    if (trunkMode !== undefined && trunkMode !== 'local' && trunkMode !== 'sip') throw new Error('trunkMode: expected local or sip');
    if (jitterMs !== undefined && (typeof jitterMs !== 'number' || jitterMs < 0)) throw new Error('jitterMs: expected a number >= 0');
    if (noise !== undefined && typeof noise !== 'boolean') throw new Error('noise: expected true or false');
    if (outgoingDefaultRoute !== undefined && typeof outgoingDefaultRoute !== 'boolean') throw new Error('outgoingDefaultRoute: expected true or false');
    const c = this.config;
    if (trunkMode !== undefined) c.trunkMode = trunkMode as TrunkMode;
    if (jitterMs !== undefined) c.jitterMs = jitterMs as number;
    if (noise !== undefined) c.noise = noise as boolean;
    if (outgoingDefaultRoute !== undefined) c.outgoingDefaultRoute = outgoingDefaultRoute as boolean;
  }
  setQueueMembers(queue: string, exts: string[]): void {
    const stasis = queue === '9001';
    this.ctx.devices.queues.set(queue, exts.map((ext) => ({
      ext, iface: `Local/${ext}@test-agents`, stateInterface: stasis ? `Stasis:agent${ext}` : `PJSIP/${ext}`, paused: false,
    })));
  }
  /** The far end presses digits now: ChannelDtmfReceived on the given (dialer-side) channel. */
  pressDigits(channelId: string, digits: string): void {
    const ch = this.ctx.engine.channels.get(channelId);
    if (!ch) throw new Error(`channel ${channelId} does not exist`);
    if (!/^[0-9*#A-D]+$/.test(digits)) throw new Error('digits: expected 0-9, *, #, A-D');
    this.ctx.engine.emitDtmf(ch, digits);
  }
  /** The far end hangs up now (cause 16 unless given), as its own script would. */
  hangupFarEnd(channelId: string, cause = 16): void {
    const ch = this.ctx.engine.channels.get(channelId);
    if (!ch) throw new Error(`channel ${channelId} does not exist`);
    const leg = legOf(ch);
    if (leg) leg.remoteHangup(cause);
    else this.ctx.engine.destroy(ch, cause);
  }
  /** A caller dials in: a channel with the caller id enters the app with args ['inbound', exten] (sim/inbound.ts). */
  inboundCall(spec: InboundCallSpec): InboundRecord {
    return placeInboundCall(this.ctx.engine, spec, this.inboundCalls);
  }
  deviceState(name: string): string {
    return this.ctx.devices.state(name);
  }
  get callLog(): CallRecord[] {
    return this.ctx.engine.callLog.records;
  }
  duplicateChannelIds(): string[] {
    return this.ctx.engine.callLog.duplicateChannelIds();
  }
  overlappingNumbers() {
    return this.ctx.engine.callLog.overlappingNumbers();
  }
  channels() {
    return [...this.ctx.engine.channels.values()].map((c) => c.toJSON());
  }
  /** Every event as delivered to each app. */
  onEvent(fn: (event: SimEvent, app: string) => void): () => void {
    return this.ctx.engine.bus.tap(fn);
  }
  eventsDelivered(): number {
    return this.ctx.engine.bus.delivered;
  }
  reset(): void {
    this.config.customers.clear();
    this.config.agents.clear();
    for (const [k, v] of defaultAgents()) this.config.agents.set(k, v);
    this.ctx.engine.callLog.records.length = 0;
    this.inboundCalls.length = 0;
    this.ctx.devices.refreshAgents();
  }
}

export function controlHandler(world: SimWorld): ControlHandler {
  return (method, path, query, body) => {
    const parts = path.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
    const b = (body ?? {}) as Record<string, unknown>;
    try {
      const [what, key, sub] = parts;
      if (method === 'GET' && what === 'calls') {
        return { status: 200, body: { calls: world.callLog, duplicateChannelIds: world.duplicateChannelIds(), overlappingNumbers: world.overlappingNumbers() } };
      }
      if (method === 'GET' && what === 'channels') return { status: 200, body: world.channels() };
      if (method === 'POST' && what === 'channels' && key && sub === 'dtmf') {
        world.pressDigits(key, query.get('digits') ?? String(b.digits ?? ''));
        return { status: 204 };
      }
      if (method === 'POST' && what === 'channels' && key && sub === 'hangup') {
        world.hangupFarEnd(key, Number(query.get('cause') ?? b.cause ?? 16));
        return { status: 204 };
      }
      if (what === 'inbound' && method === 'POST') return { status: 201, body: world.inboundCall(b as unknown as InboundCallSpec) };
      if (what === 'inbound' && method === 'GET') return { status: 200, body: world.inboundCalls };
      if (method === 'GET' && what === 'stats') return { status: 200, body: world.stats() };
      if (method === 'DELETE' && what === 'stats') return (world.resetStats(), { status: 204 });
      if (what === 'customers' && key) {
        if (method === 'PUT') world.setCustomer(key, b as unknown as CustomerScenario);
        else if (method === 'DELETE') world.clearCustomer(key);
        else return { status: 405, body: { message: 'use PUT or DELETE' } };
        return { status: 204 };
      }
      if (what === 'agents' && key && method === 'PUT') {
        world.setAgent(key, b as Partial<AgentBehaviour>);
        return { status: 204 };
      }
      if (what === 'trunk' && method === 'PUT') {
        world.setTrunkMode((query.get('mode') ?? b.mode) as TrunkMode);
        return { status: 204 };
      }
      if (what === 'queues' && key && sub === 'members' && method === 'PUT') {
        if (!Array.isArray(b.members)) return { status: 400, body: { message: 'members: expected an array of extensions' } };
        world.setQueueMembers(key, b.members.map(String));
        return { status: 204 };
      }
      if (what === 'config' && method === 'GET') {
        const c = world.config;
        return { status: 200, body: { trunkMode: c.trunkMode, jitterMs: c.jitterMs, noise: c.noise, outgoingDefaultRoute: c.outgoingDefaultRoute } };
      }
      if (what === 'config' && method === 'PUT') {
        world.configure(b);
        return { status: 204 };
      }
      if (what === 'reset' && method === 'POST') {
        world.reset();
        return { status: 204 };
      }
      return { status: 404, body: { message: 'Unknown control endpoint' } };
    } catch (err) {
      return { status: 400, body: { message: err instanceof Error ? err.message : String(err) } };
    }
  };
}
