/**
 * Plays the scenario list against one ARI backend and reduces what happened to something comparable:
 * per scenario, the outcome of every request (status, picked body fields, error message) and the filtered event
 * sequence of every label. Ids, timestamps and timing never reach the result.
 */
import { openSession, type AriEvent, type AriSession, type AriTarget } from './ari-session.js';
import { describeEvent, NOISE } from './describe-event.js';
import type { Scenario, Step } from './scenario-types.js';

export interface ScenarioResult {
  outcomes: string[];
  /** label → event descriptions in arrival order */
  sequences: Record<string, string[]>;
  /** label-tagged descriptions across all labels, in arrival order ("<label> <event>") */
  interleaved: string[];
  error?: string;
}

export interface RunOptions {
  /** Longest real wait for one awaited event or for the calls to end, in ms. */
  waitMs?: number;
  /** Real pause after the last channel is gone, for stragglers (the ;2 half, inner Dial events). */
  settleMs?: number;
  /** Only these scenarios (by name); default all. */
  only?: (s: Scenario) => boolean;
}

const CALLER_ID = '"Dialer" <4930111222>';

/** Scoped ids look like "<tag>-<scenario index>-<label>"; the label may carry ";2". */
function scope(tag: string, index: number, label: string): string {
  return `${tag}-${index}-${label}`;
}

function parseScoped(tag: string, id: unknown): { index: number; label: string } | undefined {
  if (typeof id !== 'string' || !id.startsWith(`${tag}-`)) return undefined;
  const rest = id.slice(tag.length + 1);
  const dash = rest.indexOf('-');
  if (dash < 0) return undefined;
  return { index: Number(rest.slice(0, dash)), label: rest.slice(dash + 1) };
}

/** Which scenario and label an event belongs to, if any. */
function attribute(tag: string, e: AriEvent, devices: Map<string, number>): { index: number; label: string } | undefined {
  if (e.type === 'Dial') {
    const peer = parseScoped(tag, e.peer?.id);
    if (peer) return peer;
    const caller = parseScoped(tag, e.caller?.id);
    return caller && { index: caller.index, label: `${caller.label}>dial` };
  }
  if (e.playback) return parseScoped(tag, e.playback.id);
  if (e.type === 'DeviceStateChanged') {
    const index = devices.get(e.device_state?.name);
    return index === undefined ? undefined : { index, label: `dev:${e.device_state.name}` };
  }
  if (e.channel) return parseScoped(tag, e.channel.id);
  if (e.bridge) return parseScoped(tag, e.bridge.id);
  return undefined;
}

/** Replace `{name}` by its scoped id (URL-encoded) and `{app}` by the app; query values are encoded. */
function expand(path: string, tag: string, index: number, app: string): string {
  const sub = (s: string) => s.replace(/\{([^}]+)\}/g, (_m, n: string) => (n === 'app' ? app : scope(tag, index, n)));
  const q = path.indexOf('?');
  if (q < 0) return sub(path).split('/').map(encodeURIComponent).join('/');
  const params = new URLSearchParams();
  for (const pair of path.slice(q + 1).split('&')) {
    const eq = pair.indexOf('=');
    params.append(pair.slice(0, eq), sub(pair.slice(eq + 1)));
  }
  return `${sub(path.slice(0, q)).split('/').map(encodeURIComponent).join('/')}?${params}`;
}

function outcome(label: string, status: number, body: any, pick: string[] = []): string {
  const parts = [`${label} → ${status}`];
  for (const f of pick) if (body && typeof body === 'object' && f in body) parts.push(`${f}=${JSON.stringify(body[f])}`);
  if (status >= 400) parts.push(typeof body === 'object' ? JSON.stringify(body) : 'non-JSON body');
  return parts.join(' ');
}

async function runOne(session: AriSession, tag: string, index: number, s: Scenario, o: Required<Omit<RunOptions, 'only'>>, result: ScenarioResult) {
  const app = session.app;
  const id = (label: string) => scope(tag, index, label);
  const mine = (label: string) => (e: AriEvent) => {
    const a = attribute(tag, e, new Map((s.devices ?? []).map((d) => [d, index])));
    return !!a && a.index === index && a.label === label;
  };
  /** Channels that must be gone before the scenario is over. */
  const live: string[] = [];
  const send = async (method: string, path: string, shown: string, pick?: string[]) => {
    const r = await session.request(method, path);
    result.outcomes.push(outcome(shown, r.status, r.body, pick));
    return r;
  };
  for (const step of s.steps as Step[]) {
    switch (step.op) {
      case 'originate': {
        const q = new URLSearchParams({
          endpoint: step.endpoint, app, channelId: id(step.ch), timeout: String(step.timeout ?? 20), callerId: CALLER_ID,
        });
        const r = await send('POST', `/channels?${q}`, `originate ${step.ch} ${step.endpoint}`, ['state']);
        if (r.status === 200) live.push(step.ch, `${step.ch};2`);
        break;
      }
      case 'create': {
        const q = new URLSearchParams({ endpoint: step.endpoint, app, channelId: id(step.ch) });
        const r = await send('POST', `/channels/create?${q}`, `create ${step.ch} ${step.endpoint}`, ['state']);
        if (r.status === 200) live.push(step.ch);
        break;
      }
      case 'dial':
        await send('POST', `/channels/${encodeURIComponent(id(step.ch))}/dial?timeout=${step.timeout ?? 20}`, `dial ${step.ch}`);
        break;
      case 'hangup':
        await send('DELETE', `/channels/${encodeURIComponent(id(step.ch))}`, `hangup ${step.ch}`);
        break;
      case 'request':
        await send(step.method, expand(step.path, tag, index, app), `${step.method} ${step.path}`, step.pick);
        break;
      case 'await':
        await session.waitEvent((e) => mine(step.label)(e) && describeEvent(e).startsWith(step.event), o.waitMs,
          `${step.event} on ${step.label}`);
        break;
    }
  }
  for (const label of live) {
    await session.waitEvent((e) => mine(label)(e) && e.type === 'ChannelDestroyed', o.waitMs, `${label} destroyed`);
  }
  await new Promise((r) => setTimeout(r, o.settleMs));
}

/**
 * Runs the scenarios: the ordinary ones all at once, then the exclusive ones one by one. Returns the result per
 * scenario name. A failing scenario is reported in its result (`error`), the others still run.
 */
export async function runScenarios(target: AriTarget, scenarios: Scenario[], opts: RunOptions = {}): Promise<Record<string, ScenarioResult>> {
  const o = { waitMs: opts.waitMs ?? 40_000, settleMs: opts.settleMs ?? 300 };
  const chosen = scenarios.filter(opts.only ?? (() => true));
  const tag = `fid${Date.now().toString(36)}`;
  const session = await openSession(target, `fidelity-${tag}`);
  const results: Record<string, ScenarioResult> = {};
  const play = async (s: Scenario) => {
    const index = scenarios.indexOf(s);
    const r: ScenarioResult = { outcomes: [], sequences: {}, interleaved: [] };
    results[s.name] = r;
    try {
      await runOne(session, tag, index, s, o, r);
    } catch (err) {
      r.error = err instanceof Error ? err.message : String(err);
    }
  };
  try {
    await Promise.all(chosen.filter((s) => !s.exclusive).map(play));
    for (const s of chosen.filter((x) => x.exclusive)) await play(s);
  } finally {
    await session.close();
  }
  const devices = new Map<string, number>();
  for (const s of chosen) for (const d of s.devices ?? []) devices.set(d, scenarios.indexOf(s));
  for (const e of session.events) {
    if (NOISE.has(e.type)) continue;
    const a = attribute(tag, e, devices);
    const s = a && scenarios[a.index];
    const r = s && results[s.name];
    if (!a || !r) continue;
    (r.sequences[a.label] ??= []).push(describeEvent(e));
    r.interleaved.push(`${a.label} ${describeEvent(e)}`);
  }
  return results;
}
