/** Originate, create + dial and hangup: turn ARI requests into Local channel pairs running a Leg. */
import { HANGUP_REASONS } from './causes.js';
import type { SimChannel } from './channel.js';
import { resolveEndpoint, type ParsedEndpoint } from './dialplan.js';
import type { Engine } from './engine.js';
import { AriError } from './errors.js';
import { Leg, legOf, type LegOptions } from './leg.js';
import { agentScenario } from './world.js';

export interface OriginateParams {
  endpoint?: string;
  extension?: string;
  context?: string;
  app?: string;
  appArgs?: string;
  callerId?: string;
  timeout?: string;
  channelId?: string;
  otherChannelId?: string;
  variables?: Record<string, string>;
}

/** Hooks other modules install (devices/queues) so calls.ts stays free of their details. */
export interface CallHooks {
  agentLeg(ext: string, leg: LegOptions): void;
  queueLeg(queue: string, leg: Leg): void;
  /** An answered channel runs dialplan (continueInDialplan, or originate with extension instead of app). */
  runDialplan(ch: SimChannel, context: string, exten: string, priority: number): void;
}

export function parseCallerId(callerId: string | undefined): { name: string; number: string } {
  if (!callerId) return { name: '', number: '' };
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(callerId);
  if (m) return { name: m[1] ?? '', number: m[2] ?? '' };
  return { name: '', number: callerId.trim() };
}

interface PairSpec {
  parsed: ParsedEndpoint;
  id1: string;
  id2: string;
  caller: { name: string; number: string };
  sip: boolean;
}

function makePair(engine: Engine, spec: PairSpec): { ch1: SimChannel; ch2?: SimChannel; inner?: SimChannel } {
  const { parsed, id1, id2, caller } = spec;
  const suffix = engine.localSuffix();
  const loc = { context: parsed.context, exten: parsed.exten, priority: 1 };
  if (spec.sip) {
    const ch1 = engine.newChannel(id1, `PJSIP/trunk-${suffix}`, { ...loc, app_name: 'AppDial2', app_data: '(Outgoing Line)' });
    ch1.caller = { ...caller };
    ch1.connected = { ...caller };
    return { ch1 };
  }
  const base = `Local/${parsed.exten}@${parsed.context}-${suffix}`;
  const ch1 = engine.newChannel(id1, `${base};1`, { ...loc, app_name: 'AppDial2', app_data: '(Outgoing Line)' });
  const ch2 = engine.newChannel(id2, `${base};2`, { ...loc, app_name: '', app_data: '' });
  ch2.linkedid = ch1.id;
  for (const ch of [ch1, ch2]) {
    ch.caller = { ...caller };
    ch.connected = { ...caller };
  }
  let inner: SimChannel | undefined;
  if (parsed.target.kind === 'customer' && parsed.target.via === 'outgoing') {
    const n = parsed.target.number;
    inner = engine.newChannel(engine.uniqueId(), `Local/${n}@test-clients-${engine.localSuffix()};1`, {
      context: 'test-clients', exten: n, priority: 1, app_name: 'AppDial', app_data: '(Outgoing Line)',
    });
    engine.channels.delete(inner.id); // only appears inside Dial events
  }
  return { ch1, ch2, inner };
}

function legOptions(engine: Engine, hooks: CallHooks, parsed: ParsedEndpoint, base: Omit<LegOptions, 'scenario' | 'via'>): LegOptions {
  const t = parsed.target;
  switch (t.kind) {
    case 'customer':
      return { ...base, via: t.via, scenario: engine.world.scenarioFor(t.number) };
    case 'agent': {
      const opts: LegOptions = { ...base, via: 'direct', scenario: agentScenario(engine.world.agents.get(t.ext)!) };
      hooks.agentLeg(t.ext, opts);
      return opts;
    }
    case 'queue':
      return { ...base, via: 'direct', scenario: { kind: 'queue', queue: t.queue } };
    case 'utility':
      return { ...base, via: 'direct', scenario: { kind: 'utility' } };
    case 'unallocated':
      return { ...base, via: 'direct', scenario: { kind: 'unallocated' } };
    case 'noRoute':
      return { ...base, via: 'direct', scenario: { kind: 'noRoute' } };
  }
}

function numberOf(parsed: ParsedEndpoint): string {
  const t = parsed.target;
  if (t.kind === 'customer') return t.number.replace(/^\+/, '');
  if (t.kind === 'agent') return t.ext;
  return '';
}

/**
 * Asterisk 22.10.1 also refuses an id that is the beginning of a live channel's id (originate "X" while "X-agent"
 * is up: 409), though not the other way round. Seen with the dialer's callback legs.
 */
function idIsPrefixOfLive(engine: Engine, id: string): boolean {
  for (const live of engine.channels.keys()) if (live.length > id.length && live.startsWith(id)) return true;
  return false;
}

function checkIds(engine: Engine, id1: string, id2: string, endpoint: string, app: string, mode: 'originate' | 'create'): void {
  if (engine.channels.has(id1) || engine.channels.has(id2) || idIsPrefixOfLive(engine, id1)) {
    engine.callLog.add({ channelId: id1, endpoint, number: '', app, mode, startedAt: Date.now(), rejected: 'channel id in use' });
    throw new AriError(409, 'Channel with given unique ID already exists');
  }
}

function setup(engine: Engine, hooks: CallHooks, p: OriginateParams, mode: 'originate' | 'create') {
  if (!p.endpoint) throw new AriError(400, 'Endpoint must be specified');
  const app = p.app ?? '';
  if (mode === 'originate' && !app && !p.extension) throw new AriError(400, 'Application or extension must be specified');
  if (mode === 'create' && !app) throw new AriError(400, 'Application must be specified');
  const parsed = resolveEndpoint(p.endpoint, engine.world);
  const id1 = p.channelId || engine.uniqueId();
  const id2 = p.otherChannelId || (p.channelId ? `${p.channelId};2` : engine.uniqueId());
  checkIds(engine, id1, id2, p.endpoint, app, mode);
  const sip = parsed.target.kind === 'customer' && parsed.target.sip;
  const { ch1, ch2, inner } = makePair(engine, { parsed, id1, id2, caller: parseCallerId(p.callerId), sip });
  for (const [k, v] of Object.entries(p.variables ?? {})) ch1.vars.set(k, String(v));
  const record = engine.callLog.add({
    channelId: id1, endpoint: p.endpoint, number: numberOf(parsed), app, mode, startedAt: Date.now(),
  });
  const base = { mode, inner, app, args: p.appArgs ? p.appArgs.split(',') : [], timeoutMs: timeoutMs(p.timeout, 30), record };
  const opts = legOptions(engine, hooks, parsed, base);
  if (mode === 'originate' && !app && p.extension) {
    const ext = p.extension;
    opts.onAnswer = () => hooks.runDialplan(ch1, p.context || 'default', ext, 1);
  }
  const leg = new Leg(engine, ch1, ch2, opts);
  if (parsed.target.kind === 'queue') hooks.queueLeg(parsed.target.queue, leg);
  return { leg, ch1, ch2, app };
}

/** ARI timeouts in seconds: default when absent, -1 = wait forever. */
function timeoutMs(value: string | undefined, dflt: number): number {
  if (value === undefined || value === '') return dflt * 1000;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new AriError(400, 'timeout: expected a number of seconds');
  if (n < 0) return Infinity;
  return (n > 0 ? n : dflt) * 1000;
}

export function originate(engine: Engine, hooks: CallHooks, p: OriginateParams): Record<string, unknown> {
  const { leg, ch1, ch2, app } = setup(engine, hooks, p, 'originate');
  if (app) {
    engine.bus.subscribe(app, `channel:${ch1.id}`);
    if (ch2) engine.bus.subscribe(app, `channel:${ch2.id}`);
  }
  const json = ch1.toJSON();
  // No route fails inside the request: its ChannelDestroyed may reach the app before the answer.
  if (leg.opts.scenario.kind === 'noRoute') leg.start();
  else setImmediate(() => ch1.alive && leg.start());
  return json;
}

/** POST /channels/create: StasisStart (Down) at once; nothing dials until /dial. */
export function createChannel(engine: Engine, hooks: CallHooks, p: OriginateParams): Record<string, unknown> {
  const { ch1, app } = setup(engine, hooks, p, 'create');
  const json = ch1.toJSON();
  setImmediate(() => ch1.alive && engine.enterStasis(ch1, app, p.appArgs ? p.appArgs.split(',') : []));
  return json;
}

export function dialChannel(engine: Engine, ch: SimChannel, timeout: string | undefined): void {
  const leg = legOf(ch);
  if (!leg || leg.ch1 !== ch || leg.dialing || leg.opts.mode !== 'create') throw new AriError(409, 'Channel cannot be dialed.');
  (leg.opts as { timeoutMs: number }).timeoutMs = timeoutMs(timeout, 0) || Infinity;
  setImmediate(() => ch.alive && leg.start());
}

export function hangupReasonCause(reason: string | undefined, reasonCode: string | undefined): number {
  if (reasonCode !== undefined && reasonCode !== '') {
    const n = Number(reasonCode);
    if (!Number.isInteger(n)) throw new AriError(400, 'Invalid reason_code');
    return n;
  }
  if (!reason) return 16;
  const c = HANGUP_REASONS[reason];
  if (c === undefined) throw new AriError(400, 'Invalid reason for hangup provided');
  return c;
}

export function hangupChannel(engine: Engine, ch: SimChannel, cause: number): void {
  const leg = legOf(ch);
  if (leg && leg.ch1 === ch) return leg.appHangup(cause);
  if (leg && leg.ch2 === ch) return leg.remoteHangup(cause);
  engine.hangupRequest(ch, 32, true);
  engine.destroy(ch, cause);
}
