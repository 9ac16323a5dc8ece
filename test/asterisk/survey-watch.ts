/**
 * Two witnesses for the real-PBX survey suite, neither of them part of the service under test:
 * - `watchPbx`: a second ARI application on the same Asterisk with `subscribeAll=true`, so it hears what
 *   Asterisk itself reports for every channel (playbacks started / finished, DTMF received) without owning any;
 * - `watchResults`: a CRM that polls `GET /results/{changeTime}` the documented way (inclusive bound, last
 *   changeTime seen, de-duplicated by id) and keeps, per attempt row, every state it saw in order.
 */
import WebSocket from 'ws';
import { api } from '../faults/harness/service.js';

export interface PlaybackSeen {
  id: string;
  channelId: string;
  uri: string;
  startedAt: number;
  finishedAt?: number;
  /** PlaybackFinished state: done / failed … */
  state?: string;
}

export interface DtmfSeen {
  channelId: string;
  digit: string;
  at: number;
}

export interface PbxWatch {
  /** Playbacks Asterisk started on this channel, in order. */
  playbacks(channelId: string): PlaybackSeen[];
  /** Keys Asterisk received on this channel, in order. */
  dtmf(channelId: string): DtmfSeen[];
  /** Names of the channels that were in a bridge together with this channel (itself included). */
  bridgedWith(channelId: string): string[];
  close(): Promise<void>;
}

interface RawEvent {
  type: string;
  playback?: { id: string; media_uri: string; target_uri: string; state: string };
  channel?: { id: string; name: string };
  bridge?: { id: string };
  digit?: string;
}

export async function watchPbx(pbx: { port: number; username: string; password: string }): Promise<PbxWatch> {
  const playbacks = new Map<string, PlaybackSeen>();
  const dtmf: DtmfSeen[] = [];
  /** bridge id → channels that entered it (id → name) */
  const bridges = new Map<string, Map<string, string>>();
  const app = `survey-witness-${process.pid}`;
  const auth = encodeURIComponent(`${pbx.username}:${pbx.password}`);
  const ws = new WebSocket(`ws://127.0.0.1:${pbx.port}/ari/events?app=${app}&subscribeAll=true&api_key=${auth}`);
  ws.on('message', (data) => {
    const e = JSON.parse(String(data)) as RawEvent;
    const now = performance.now();
    if (e.playback && e.type === 'PlaybackStarted' && !playbacks.has(e.playback.id)) {
      const channelId = e.playback.target_uri.replace(/^channel:/, '');
      playbacks.set(e.playback.id, { id: e.playback.id, channelId, uri: e.playback.media_uri, startedAt: now });
    }
    if (e.playback && e.type === 'PlaybackFinished') {
      const p = playbacks.get(e.playback.id);
      if (p) Object.assign(p, { finishedAt: now, state: e.playback.state });
    }
    if (e.type === 'ChannelEnteredBridge' && e.bridge && e.channel) {
      const members = bridges.get(e.bridge.id) ?? new Map<string, string>();
      bridges.set(e.bridge.id, members.set(e.channel.id, e.channel.name));
    }
    if (e.type === 'ChannelDtmfReceived' && e.channel && e.digit) dtmf.push({ channelId: e.channel.id, digit: e.digit, at: now });
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    playbacks: (ch) => [...playbacks.values()].filter((p) => p.channelId === ch),
    dtmf: (ch) => dtmf.filter((d) => d.channelId === ch),
    bridgedWith: (ch) => [...bridges.values()].filter((m) => m.has(ch)).flatMap((m) => [...m.values()]),
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
}

export interface ResultRow {
  id: number;
  taskId: number;
  phone: string;
  phoneId: string;
  state: string;
  result: string;
  outDialState: string | null;
  hangupCause: number | null;
  cause: string | null;
  callFile: string | null;
  linkedId: string | null;
  verboseCallId: string | null;
  changeTime: number;
  closeTime: number;
}

export interface PollingRow {
  id: number;
  taskId: number;
  pollingId: number;
  questionCrmId: string;
  phone: string;
  phoneId: string;
  result: string;
  exten: string;
  linkedId: string | null;
  verboseCallId: string | null;
  changeTime: number;
}

/**
 * The API answers database values as strings, as the original did ("id": "132", "closeTime": "0"); the
 * watch keeps the ids and times it compares as numbers. Number() of a time string is exactly the stored value.
 */
const numbered = <T>(raw: Record<string, unknown>, keys: readonly string[]): T => {
  const out: Record<string, unknown> = { ...raw };
  for (const k of keys) out[k] = raw[k] === null ? null : Number(raw[k]);
  return out as T;
};
const resultRow = (raw: Record<string, unknown>) => numbered<ResultRow>(raw, ['id', 'taskId', 'changeTime', 'closeTime']);
const pollingRow = (raw: Record<string, unknown>) => numbered<PollingRow>(raw, ['id', 'taskId', 'pollingId', 'changeTime']);

export interface ResultsWatch {
  /** Latest version of every row seen. */
  rows(): ResultRow[];
  /** Every distinct state a row was seen in, in order. */
  trail(rowId: number): string[];
  /** Polls until the task has `count` closed rows (result set), or throws after `ms`. */
  finished(taskId: number, count: number, ms: number): Promise<ResultRow[]>;
  stop(): void;
}

export function watchResults(url: string, everyMs = 50): ResultsWatch {
  const latest = new Map<number, ResultRow>();
  const trails = new Map<number, string[]>();
  let since = 0;
  let stopped = false;
  let failure: unknown;
  const loop = (async () => {
    while (!stopped) {
      try {
        const r = (await api(url, 'GET', `/results/${since}`)) as { result: boolean; data: { results: Record<string, unknown>[] } };
        for (const row of r.data.results.map(resultRow)) {
          latest.set(row.id, row);
          const t = trails.get(row.id) ?? [];
          if (t[t.length - 1] !== row.state) t.push(row.state);
          trails.set(row.id, t);
          since = Math.max(since, row.changeTime);
        }
      } catch (err) {
        failure = err;
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    rows: () => [...latest.values()],
    trail: (id) => trails.get(id) ?? [],
    async finished(taskId, count, ms) {
      const until = Date.now() + ms;
      for (;;) {
        const rows = [...latest.values()].filter((r) => r.taskId === taskId && r.result !== '');
        if (rows.length >= count) return rows;
        if (Date.now() > until) {
          const all = [...latest.values()].filter((r) => r.taskId === taskId);
          throw new Error(`task ${taskId}: ${rows.length}/${count} rows finished after ${ms} ms (${JSON.stringify(all)}); last poll error: ${String(failure)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop() {
      stopped = true;
      void loop;
    },
  };
}

/** All polling answers of a task through `GET /polling-results/0`, in the order they were stored. */
export async function pollingAnswers(url: string, taskId: number): Promise<PollingRow[]> {
  const r = (await api(url, 'GET', '/polling-results/0')) as { result: boolean; data: { results: Record<string, unknown>[] } };
  return r.data.results.map(pollingRow).filter((p) => p.taskId === taskId).sort((a, b) => a.id - b.id);
}
