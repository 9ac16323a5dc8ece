/**
 * The page's one event stream, shared by every view: the snapshot and the events after it kept as live state
 * (calls in flight with their phase, task progress, agents, ARI), and a way for a view to hear events as they
 * come. EventSource resumes by itself with Last-Event-ID; a `reset` is followed by a fresh snapshot.
 */
import { useEffect, useState } from 'preact/hooks';
import { getJson, RequestError } from './api.js';
import type { LiveCall, LiveEvent, LiveSnapshot } from '../src/web/api-types.js';

export const API = '/pbxcore/api/module-dialer/v1';
/** After the stream was refused: the wait before asking again. */
const RECONNECT_MS = 3000;
const EVENT_TYPES = ['call.started', 'call.answered', 'call.phase', 'call.ended', 'task.progress', 'task.state', 'agent.state', 'ari.connection'] as const;

export type StreamState = 'connecting' | 'live' | 'offline';
type Listener = (e: LiveEvent & { at: number }) => void;

export interface Live {
  stream: StreamState;
  ari: LiveSnapshot['ari'];
  calls: Map<number, LiveCall>;
  tasks: Map<number, LiveSnapshot['tasks'][number]>;
  agents: Map<string, number>;
}

const live: Live = { stream: 'connecting', ari: 'unknown', calls: new Map(), tasks: new Map(), agents: new Map() };
const listeners = new Set<Listener>();
const watchers = new Set<() => void>();
let es: EventSource | undefined;
let notifyPending = false;

/** Views re-render at most once per frame, however many events arrive. */
function changed() {
  if (notifyPending) return;
  notifyPending = true;
  requestAnimationFrame(() => {
    notifyPending = false;
    for (const w of watchers) w();
  });
}

function applySnapshot(s: LiveSnapshot) {
  live.ari = s.ari;
  live.calls = new Map(s.calls.map((c) => [c.rowId, c]));
  live.tasks = new Map(s.tasks.map((t) => [t.taskId, t]));
  live.agents = new Map(s.agents.map((a) => [a.target, a.free]));
}

/**
 * A call's start or end counted into its task's progress at once, so the page shows it the moment the event
 * arrives; the next task.progress (counted from the database, coalesced on the server) replaces these counts
 * with the exact ones (retries scheduled, rows added…).
 */
function countCall(taskId: number, f: (t: LiveSnapshot['tasks'][number]) => LiveSnapshot['tasks'][number]) {
  const t = live.tasks.get(taskId);
  if (t) live.tasks.set(taskId, f(t));
}

function apply(e: LiveEvent & { at: number }) {
  switch (e.type) {
    case 'call.started':
      live.calls.set(e.rowId, { taskId: e.taskId, rowId: e.rowId, phone: e.phone, channelId: e.channelId, startedAt: e.at, phase: 'ringing' });
      countCall(e.taskId, (t) => ({ ...t, waiting: Math.max(0, t.waiting - 1), inCall: t.inCall + 1 }));
      break;
    case 'call.answered': {
      const c = live.calls.get(e.rowId);
      if (c) live.calls.set(e.rowId, { ...c, answeredAt: e.at, phase: c.phase === 'ringing' ? 'answered' : c.phase });
      break;
    }
    case 'call.phase': {
      const c = live.calls.get(e.rowId);
      if (c) live.calls.set(e.rowId, { ...c, phase: e.phase, agent: e.agent ?? c.agent });
      break;
    }
    case 'call.ended':
      // only a call this page saw in flight counts (a peer's call taken over may have been counted already)
      if (live.calls.delete(e.rowId) && e.result)
        countCall(e.taskId, (t) => ({
          ...t,
          inCall: Math.max(0, t.inCall - 1),
          done: t.done + 1,
          answered: t.answered + (e.outDialState === 'ANSWER' ? 1 : 0),
          results: { ...t.results, [e.result]: (t.results[e.result] ?? 0) + 1 },
        }));
      break;
    case 'task.progress': {
      const { type: _t, at: _a, ...p } = e;
      live.tasks.set(e.taskId, { ...live.tasks.get(e.taskId), ...p });
      break;
    }
    case 'task.state': {
      const t = live.tasks.get(e.taskId);
      if (t) live.tasks.set(e.taskId, { ...t, state: e.state });
      break;
    }
    case 'agent.state':
      live.agents.set(e.target, e.free);
      break;
    case 'ari.connection':
      live.ari = e.state;
      break;
  }
}

/** Close the stream (the server said 401: the page shows the login form, then connects again). */
export function disconnectLive(): void {
  es?.close();
  es = undefined;
  live.stream = 'connecting';
}

/** Open the stream (once; again after disconnectLive). */
export function connectLive(): void {
  if (es) return;
  es = new EventSource(`${API}/events`, { withCredentials: true });
  es.onopen = () => ((live.stream = 'live'), changed());
  const mine = es;
  es.onerror = () => {
    if (mine.readyState !== EventSource.CLOSED) return void ((live.stream = 'connecting'), changed());
    // The browser gave up for good (any answer but 200: a session expired or lost in a restart, a proxy's 502).
    // Ask once what is wrong: a 401 brings the login form (getJson's hook), anything else tries again in a while.
    live.stream = 'offline';
    changed();
    if (es !== mine) return;
    disconnectLive();
    setTimeout(() => {
      getJson('/cockpit/api/campaigns?limit=1').then(connectLive, (e: unknown) => {
        if (!(e instanceof RequestError && e.status === 401)) connectLive();
      });
    }, RECONNECT_MS);
  };
  es.addEventListener('snapshot', (m) => {
    applySnapshot(JSON.parse((m as MessageEvent).data) as LiveSnapshot);
    changed();
  });
  for (const type of EVENT_TYPES) {
    es.addEventListener(type, (m) => {
      const e = JSON.parse((m as MessageEvent).data) as LiveEvent & { at: number };
      apply(e);
      for (const l of listeners) l(e);
      changed();
    });
  }
}

/** The live state; the calling view re-renders when it changes (at most once per frame). */
export function useLive(): Live {
  const [, bump] = useState(0);
  useEffect(() => {
    const w = () => bump((n) => n + 1);
    watchers.add(w);
    return () => void watchers.delete(w);
  }, []);
  return live;
}

/** Hear every event as it arrives (e.g. to re-read a table when a call of this task ends). */
export function useLiveEvents(fn: Listener, deps: unknown[] = []): void {
  useEffect(() => {
    listeners.add(fn);
    return () => void listeners.delete(fn);
  }, deps);
}

/** Counts read from the server (a list or a summary) for tasks the stream has not counted yet. */
export function seedProgress(rows: Array<{ id: number; waiting: number; inCall: number; done: number; answered: number; results: Record<string, number> }>): void {
  for (const r of rows)
    if (!live.tasks.has(r.id)) live.tasks.set(r.id, { taskId: r.id, waiting: r.waiting, inCall: r.inCall, done: r.done, answered: r.answered, results: r.results });
}
