import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { createClock } from '../../src/clock.js';
import { EventBus } from '../../src/events/bus.js';
import { createMetrics, type Metrics } from '../../src/metrics/index.js';
import { connectAri } from '../../stasis/ari/ari-client-port.js';
import type { AriPort } from '../../stasis/ari/port.js';
import { createDialer, type Dialer } from '../../stasis/dialer/index.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { freshEnv } from '../helpers/env.js';
import { addTask, fakeSurvey, rowsOf, taskOf, until } from '../dialer/helpers.js';
import { SCALE, tcpProxy } from '../dialer/sim-harness.js';
import { BASE, fakeConverter, fakePrompts, LOCAL, REMOTE } from './helpers.js';

/**
 * The Prometheus text format (0.0.4), line by line: HELP / TYPE comments, and samples
 * `name{label="value",…} value`. Answers the samples; throws on any line that is not one of these.
 */
function parseExposition(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const samples: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  const typed = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (m) {
      if (m[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(m[3]);
        typed.set(m[2]!, m[3]!);
      }
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/.exec(line);
    if (!m) throw new Error(`not Prometheus exposition: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? []) {
      const i = l.indexOf('=');
      labels[l.slice(0, i)] = JSON.parse(l.slice(i + 1));
    }
    // Prometheus reads values with Go's ParseFloat: NaN in any case (prom-client writes "Nan" for an empty lag histogram)
    const value = m[3] === '+Inf' ? Infinity : m[3] === '-Inf' ? -Infinity : /^nan$/i.test(m[3]!) ? NaN : Number(m[3]);
    if (Number.isNaN(value) && !/^nan$/i.test(m[3]!)) throw new Error(`bad value in ${line}`);
    const base = m[1]!.replace(/_(bucket|sum|count|total|created)$/, '');
    if (!typed.has(m[1]!) && !typed.has(base)) throw new Error(`sample without a TYPE: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return samples;
}

let env: Awaited<ReturnType<typeof freshEnv>>;
let sim: Simulator;
let ari: AriPort;
let dialer: Dialer;
let metrics: Metrics;
let app: Hono;
let bus: EventBus;
let proxy: Awaited<ReturnType<typeof tcpProxy>>;

beforeAll(async () => {
  env = await freshEnv({ DIALER_TIME_SCALE: String(SCALE), DIALER_SAFETY_TICK_SECONDS: '1', DIALER_API_TOKENS: 'tok-1' });
  sim = await startSimulator({ port: 0, timeScale: SCALE, seed: 1 });
  bus = new EventBus();
  // ARI through a proxy that can play "Asterisk unreachable"
  proxy = await tcpProxy(sim.url);
  ari = await connectAri({ url: proxy.url, username: sim.username, password: sim.password, app: env.config.ari.app, log: env.log });
  dialer = createDialer({ config: env.config, db: env.db, log: env.log, ari, clock: createClock(SCALE), runSurvey: fakeSurvey({ result: 'SUCCESS_POLLING' }, 1000), simulator: true, events: bus });
  metrics = createMetrics({ bus, status: () => dialer.status() });
  app = createApp({ config: env.config, db: env.db, log: env.log, dialer, audio: fakeConverter(), prompts: fakePrompts(), events: bus, metrics });
  await dialer.start();
});
afterAll(async () => {
  await dialer.stop();
  metrics.stop();
  await ari.close();
  await proxy.close();
  await sim.stop();
  await env.cleanup();
});

const scrape = async () => {
  const res = await app.request('/metrics', {}, LOCAL);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
};
const value = (s: ReturnType<typeof parseExposition>, name: string, labels: Record<string, string> = {}) =>
  s.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value;

describe('GET /metrics', () => {
  it('after a small simulated campaign: originates, results by code, calls in flight back to 0, ARI connected, HTTP latency by route pattern', async () => {
    const nums = ['1', '1', '2', '3', '8'].map((d, i) => `795230${i}00${d}`);
    const { task } = await addTask(env.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 3 }, nums);
    dialer.tasksChanged([task.id]);
    await until(async () => (await taskOf(env.db, task.id)).state === 1, 20_000, 'the task closed');
    await until(() => dialer.status().callsInFlight === 0, 5000, 'no calls in flight');
    for (let i = 0; i < 3; i++) expect((await app.request(`${BASE}/task/${task.id}`, {}, LOCAL)).status).toBe(200);
    expect((await app.request(`${BASE}/task/999`, {}, REMOTE)).status).toBe(401);

    const s = await scrape();
    const rows = await rowsOf(env.db, task.id);
    expect(value(s, 'autodialer_originates_total')).toBe(5);
    expect(value(s, 'autodialer_calls_answered_total')).toBe(2);
    expect(value(s, 'autodialer_answer_ratio')).toBeCloseTo(2 / 5);
    const byResult: Record<string, number> = {};
    for (const r of rows) byResult[r.result] = (byResult[r.result] ?? 0) + 1;
    expect(Object.keys(byResult).length).toBeGreaterThanOrEqual(2);
    for (const [result, n] of Object.entries(byResult)) expect(value(s, 'autodialer_call_results_total', { result })).toBe(n);
    expect(value(s, 'autodialer_calls_in_flight')).toBe(0);
    expect(value(s, 'autodialer_ari_connected')).toBe(1);
    expect(value(s, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    const route = `${BASE}/task/:id`;
    expect(value(s, 'http_request_duration_seconds_count', { method: 'GET', route, status: '200' })).toBe(3);
    expect(value(s, 'http_request_duration_seconds_bucket', { method: 'GET', route, status: '200', le: '+Inf' })).toBe(3);
    expect(value(s, 'http_request_duration_seconds_count', { method: 'GET', route, status: '401' })).toBe(1);
    // patterns only: no path with a task id, no phone number anywhere
    const labelValues = s.flatMap((x) => Object.values(x.labels));
    expect(labelValues.some((v) => v.includes(`/task/${task.id}`) || v.includes('/task/999'))).toBe(false);
    expect(labelValues.some((v) => nums.some((n) => v.includes(n)))).toBe(false);
  });

  it('calls in flight are counted while calls run, and go back to 0', async () => {
    const { task } = await addTask(env.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 2 }, ['79524000011', '79524000021']);
    dialer.tasksChanged([task.id]);
    await until(async () => value(await scrape(), 'autodialer_calls_in_flight') === 2, 10_000, '2 calls in flight');
    await until(async () => (await taskOf(env.db, task.id)).state === 1, 20_000, 'the task closed');
    await until(async () => value(await scrape(), 'autodialer_calls_in_flight') === 0, 5000, 'back to 0');
  });

  it('ARI state: 0 (and ari.connection disconnected) while Asterisk is unreachable, 1 once it is back', async () => {
    const seen: string[] = [];
    const off = bus.listen(({ event: e }) => e.type === 'ari.connection' && seen.push(e.state));
    await proxy.down();
    await until(async () => value(await scrape(), 'autodialer_ari_connected') === 0, 10_000, 'ARI down');
    await proxy.up();
    await until(async () => value(await scrape(), 'autodialer_ari_connected') === 1, 15_000, 'ARI back');
    off();
    expect(seen).toEqual(['disconnected', 'connected']);
    expect(bus.snapshot().ari).toBe('connected');
  });

  it('under the API auth (a remote scraper needs a token); described in /openapi.json', async () => {
    expect((await app.request('/metrics', {}, REMOTE)).status).toBe(401);
    expect((await app.request('/metrics', { headers: { authorization: 'Bearer tok-1' } }, REMOTE)).status).toBe(200);
    const doc = await (await app.request('/openapi.json', {}, LOCAL)).json();
    expect(doc.paths['/metrics'].get.responses['200'].content).toHaveProperty(['text/plain; version=0.0.4']);
  });
});
