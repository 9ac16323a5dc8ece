import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { createClock } from '../../src/clock.js';
import { EventBus } from '../../src/events/bus.js';
import { startTaskProgress } from '../../src/events/progress.js';
import { sseStream } from '../../src/events/sse.js';
import { connectAri } from '../../stasis/ari/ari-client-port.js';
import type { AriPort } from '../../stasis/ari/port.js';
import { createDialer, type Dialer } from '../../stasis/dialer/index.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { freshEnv } from '../helpers/env.js';
import { addTask, fakeSurvey, rowsOf, until } from '../dialer/helpers.js';
import { SCALE } from '../dialer/sim-harness.js';
import { BASE, fakeConverter, fakePrompts, LOCAL, REMOTE } from './helpers.js';

interface Frame {
  id?: string;
  event?: string;
  data?: any;
  comment?: string;
  retry?: string;
}

/** A client of GET /events through app.request: frames are parsed as they come; `close()` cancels like a browser leaving. */
async function openStream(app: Hono, query = '', headers: Record<string, string> = {}, from = LOCAL) {
  const res = await app.request(`${BASE}/events${query}`, { headers }, from);
  const frames: Frame[] = [];
  if (!res.headers.get('content-type')?.startsWith('text/event-stream')) return { res, frames, close: async () => {} };
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += dec.decode(value, { stream: true });
      for (let i = buf.indexOf('\n\n'); i >= 0; i = buf.indexOf('\n\n')) {
        const f: Frame = {};
        for (const line of buf.slice(0, i).split('\n')) {
          const [k, ...rest] = line.split(':');
          const v = rest.join(':').replace(/^ /, '');
          if (k === '') f.comment = v;
          else if (k === 'data') f.data = JSON.parse(v);
          else if (k === 'id' || k === 'event' || k === 'retry') f[k] = v;
        }
        frames.push(f);
        buf = buf.slice(i + 2);
      }
    }
  })().catch(() => undefined);
  return { res, frames, close: () => reader.cancel() };
}

const events = (frames: Frame[]) => frames.filter((f) => f.id && f.event !== 'snapshot');

let env: Awaited<ReturnType<typeof freshEnv>>;
let sim: Simulator;
let ari: AriPort;
let dialer: Dialer;
let bus: EventBus;
let app: Hono;
let progress: { stop(): void };

beforeAll(async () => {
  env = await freshEnv({ DIALER_TIME_SCALE: String(SCALE), DIALER_SAFETY_TICK_SECONDS: '1', DIALER_API_TOKENS: 'tok-1' });
  sim = await startSimulator({ port: 0, timeScale: SCALE, seed: 1 });
  bus = new EventBus();
  progress = startTaskProgress({ db: env.db, bus, log: env.log });
  ari = await connectAri({ url: sim.url, username: sim.username, password: sim.password, app: env.config.ari.app, log: env.log });
  dialer = createDialer({ config: env.config, db: env.db, log: env.log, ari, clock: createClock(SCALE), runSurvey: fakeSurvey({ result: 'SUCCESS_POLLING' }, 1000), simulator: true, events: bus });
  app = createApp({ config: env.config, db: env.db, log: env.log, dialer, audio: fakeConverter(), prompts: fakePrompts(), events: bus, sseHeartbeatMs: 100 });
  await dialer.start();
});
afterAll(async () => {
  await dialer.stop();
  progress.stop();
  await ari.close();
  await sim.stop();
  await env.cleanup();
});

/** A polling task whose numbers end in …1 (answers), …2 (busy), …3 (no answer), …8 (does not exist). */
async function campaign(base: string) {
  const nums = ['1', '2', '3', '8'].map((d) => `7951${base}000${d}`);
  const { task } = await addTask(env.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 2 }, nums);
  dialer.tasksChanged([task.id]);
  return task.id;
}
const closedProgress = (frames: Frame[], taskId: number) =>
  frames.find((f) => f.event === 'task.progress' && f.data.taskId === taskId && f.data.done === 4 && f.data.waiting === 0 && f.data.inCall === 0);

describe('GET /events (live event stream)', () => {
  let first: Awaited<ReturnType<typeof openStream>>;
  let taskA: number;

  it('a client sees call.started / answered / ended with the recorded results and task.progress of a simulated campaign', async () => {
    first = await openStream(app);
    expect(first.res.status).toBe(200);
    expect(first.res.headers.get('cache-control')).toBe('no-cache');
    await until(() => first.frames.some((f) => f.event === 'snapshot'), 5000, 'the snapshot');
    expect(first.frames[0]!.retry).toBe('3000');
    expect(first.frames[1]).toMatchObject({ event: 'snapshot', data: { ari: 'connected', calls: [] } });

    taskA = await campaign('10');
    await until(() => closedProgress(first.frames, taskA), 20_000, 'the final progress');
    await until(() => first.frames.some((f) => f.event === 'task.state' && f.data.taskId === taskA), 5000, 'task.state');

    const rows = await rowsOf(env.db, taskA);
    const mine = events(first.frames).filter((f) => f.data.taskId === taskA);
    for (const row of rows) {
      const of = mine.filter((f) => f.data.rowId === row.id);
      // an answered call of a polling task plays the survey (call.phase) before it ends
      expect(of.map((f) => f.event)).toEqual(row.outDialState === 'ANSWER' ? ['call.started', 'call.answered', 'call.phase', 'call.ended'] : ['call.started', 'call.ended']);
      if (row.outDialState === 'ANSWER') expect(of[2]!.data).toMatchObject({ taskId: taskA, rowId: row.id, phase: 'survey' });
      expect(of[0]!.data).toMatchObject({ phone: row.phone, channelId: row.callFile });
      expect(of.at(-1)!.data).toMatchObject({ result: row.result, phone: row.phone, outDialState: row.outDialState });
      expect(typeof of[0]!.data.at).toBe('number');
    }
    const results: Record<string, number> = {};
    for (const r of rows) results[r.result] = (results[r.result] ?? 0) + 1;
    expect(closedProgress(first.frames, taskA)!.data).toEqual(expect.objectContaining({ taskId: taskA, done: 4, answered: 1, results }));
    expect(mine.find((f) => f.event === 'task.state')!.data).toMatchObject({ state: 1 });
    // ids increase
    const ids = events(first.frames).map((f) => Number(f.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('Last-Event-ID resumes with exactly the events after it (header or lastEventId); an unknown id gets reset + snapshot', async () => {
    const all = events(first.frames);
    const from = all[Math.floor(all.length / 2)]!;
    const after = all.filter((f) => Number(f.id) > Number(from.id));
    for (const open of [() => openStream(app, '', { 'last-event-id': from.id! }), () => openStream(app, `?lastEventId=${from.id}`)]) {
      const again = await open();
      await until(() => events(again.frames).length >= after.length, 5000, 'the replay');
      expect(again.frames.some((f) => f.event === 'snapshot' || f.event === 'reset')).toBe(false);
      expect(events(again.frames).map((f) => [f.id, f.event, f.data])).toEqual(after.map((f) => [f.id, f.event, f.data]));
      await again.close();
    }
    const lost = await openStream(app, '', { 'last-event-id': '12' });
    await until(() => lost.frames.some((f) => f.event === 'snapshot'), 5000, 'the snapshot');
    expect(lost.frames.find((f) => f.event === 'reset')!.data).toEqual({ reason: 'too-old' });
    await lost.close();
  });

  it('?taskId= gives only that task\'s events; idle streams get keepalive comments; a client that leaves is forgotten', async () => {
    const open = bus.streams;
    const b = await openStream(app, `?taskId=${taskA + 1}`);
    expect(bus.streams).toBe(open + 1);
    const taskB = await campaign('20');
    expect(taskB).toBe(taskA + 1);
    const taskC = await campaign('30');
    await until(() => closedProgress(first.frames, taskC) && closedProgress(b.frames, taskB), 20_000, 'both tasks done');
    const got = events(b.frames);
    expect(got.length).toBeGreaterThanOrEqual(9);
    expect(got.every((f) => f.data.taskId === taskB)).toBe(true);
    expect(events(first.frames).some((f) => f.data.taskId === taskC)).toBe(true);
    await until(() => b.frames.some((f) => f.comment === 'keepalive'), 2000, 'a keepalive');
    await b.close();
    await first.close();
    expect(bus.streams).toBe(open - 1);
  });

  it('a number closed before it is dialed (do-not-call list) has its call.ended, and no call.started', async () => {
    const c = await openStream(app);
    const phone = '79510500001';
    await env.db.run('INSERT INTO dnc (taskId, phoneId, phone, addedAt) VALUES (0, ?, ?, 0)', [phone.slice(-10), phone]);
    const { task, rows } = await addTask(env.db, { innerNumType: 'polling', innerNum: '1' }, [phone]);
    dialer.tasksChanged([task.id]);
    const ended = await until(() => c.frames.find((f) => f.event === 'call.ended' && f.data.taskId === task.id), 10_000, 'call.ended');
    const row = (await rowsOf(env.db, task.id))[0]!;
    expect(ended.data).toMatchObject({ rowId: rows[0]!.id, phone, result: row.result });
    expect(row.result).toBe('FAIL_DNC');
    expect(c.frames.some((f) => f.event === 'call.started' && f.data.taskId === task.id)).toBe(false);
    await c.close();
  });

  it('agent.state follows an extension through a call to it', async () => {
    const c = await openStream(app);
    const { task } = await addTask(env.db, { innerNum: '202', maxCountChannels: 1 }, ['79510400007']);
    dialer.tasksChanged([task.id]);
    await until(() => c.frames.some((f) => f.event === 'task.state' && f.data.taskId === task.id), 20_000, 'the task closed');
    const agent = c.frames.filter((f) => f.event === 'agent.state' && f.data.target === '202').map((f) => f.data.free);
    expect(agent).toContain(0);
    expect(agent.at(-1)).toBe(1);
    const ended = c.frames.find((f) => f.event === 'call.ended' && f.data.taskId === task.id)!;
    expect(ended.data.result).toMatch(/^SUCCESS_(CLIENT|USER)_H$/);
    await c.close();
  });

  it('under the API auth: a remote client needs a token (or the session cookie)', async () => {
    const refused = await openStream(app, '', {}, REMOTE);
    expect(refused.res.status).toBe(401);
    const ok = await openStream(app, '', { authorization: 'Bearer tok-1' }, REMOTE);
    expect(ok.res.status).toBe(200);
    await until(() => ok.frames.some((f) => f.event === 'snapshot'), 5000, 'the snapshot');
    await ok.close();
    const bad = await app.request(`${BASE}/events?taskId=x`, {}, LOCAL);
    expect(bad.status).toBe(400);
  });

  it('is described in /openapi.json', async () => {
    const doc = await (await app.request('/openapi.json', {}, LOCAL)).json();
    const op = doc.paths[`${BASE}/events`].get;
    expect(Object.keys(op.responses['200'].content)).toEqual(['text/event-stream']);
    expect(op.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`).sort()).toEqual(['header:Last-Event-ID', 'query:lastEventId', 'query:taskId']);
  });
});

describe('the bus and a stream, unit', () => {
  /** Everything a stream has sent so far, as text. */
  async function readFor(stream: ReadableStream<Uint8Array>, ms: number) {
    const reader = stream.getReader();
    let text = '';
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const r = await Promise.race([reader.read(), new Promise<undefined>((res) => setTimeout(res, end - Date.now()))]);
      if (!r || r.done) break;
      text += new TextDecoder().decode(r.value);
    }
    await reader.cancel();
    return text;
  }
  const state = (n: number) => ({ type: 'task.state' as const, taskId: n, state: 0 });

  it('keeps the last `capacity` events: resume from just before the oldest replays all, older gets reset, a future id is unknown', async () => {
    const b = new EventBus(5);
    for (let i = 1; i <= 8; i++) b.publish(state(i));
    expect(b.lastId - b.oldestId).toBe(4);
    expect(b.resume(b.oldestId - 1)).toMatchObject({ ok: true, cursor: { after: b.oldestId - 1 } });
    expect(b.resume(b.oldestId - 2)).toMatchObject({ ok: false, reason: 'too-old' });
    expect(b.resume(b.lastId + 1)).toMatchObject({ ok: false, reason: 'unknown' });
    const text = await readFor(sseStream(b, { lastEventId: b.oldestId - 1, heartbeatMs: 1000 }), 100);
    expect([...text.matchAll(/"taskId":(\d+)/g)].map((m) => Number(m[1]))).toEqual([4, 5, 6, 7, 8]);
  });

  it('a client that falls out of the ring skips: reset ("lagged") and a fresh snapshot, then the new events', async () => {
    const b = new EventBus(5);
    const stream = sseStream(b, { heartbeatMs: 1000 });
    const reader = stream.getReader();
    const dec = new TextDecoder();
    expect(dec.decode((await reader.read()).value)).toContain('event: snapshot');
    for (let i = 1; i <= 12; i++) b.publish(state(i)); // not read meanwhile: 7 of them are overwritten
    const next = dec.decode((await reader.read()).value);
    expect(next).toMatch(/^event: reset\ndata: \{"reason":"lagged"\}\n\nid: \d+\nevent: snapshot\n/);
    b.publish(state(13));
    expect(dec.decode((await reader.read()).value)).toMatch(/event: task.state\ndata: \{"type":"task.state","taskId":13/);
    await reader.cancel();
    expect(b.streams).toBe(0);
  });

  it('a publisher never waits: 100 000 events with a stream that reads nothing', () => {
    const b = new EventBus();
    const stream = sseStream(b, { heartbeatMs: 1000 });
    const t0 = performance.now();
    for (let i = 0; i < 100_000; i++) b.publish(state(i));
    expect(performance.now() - t0).toBeLessThan(2000);
    void stream.cancel();
  });
});
