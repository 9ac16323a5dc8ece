/**
 * The cockpit's liveness, end to end in a real browser: a simulated campaign runs while chromium shows the
 * campaigns page; for every attempt that closes, how long from its result being written (closeTime in the
 * database) to the page showing it (the campaign's done count reaching it, seen by a MutationObserver).
 *   npm run bench:cockpit-live [-- --calls 500 --channels 30 --scale 0.1 --streams 0]
 * (--streams: extra SSE clients in another process, as other open cockpits would be.) Prints:
 *  1. call's end (result written) → the event in the page, p50 / p95 / p99 / max
 *  2. call's end → the page showing it (done count), p50 / p95 / p99 / max (target < 200 ms)
 *  3. the service's event-loop lag during the campaign
 * Needs chromium (/usr/bin/chromium or CHROMIUM_PATH).
 */
import { fork, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { chromium } from 'playwright-core';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '500' },
    channels: { type: 'string', default: '30' },
    scale: { type: 'string', default: '0.1' },
    streams: { type: 'string', default: '0' },
  },
});
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.log(`no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH): nothing measured`);
  process.exit(0);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const f = (n: number) => n.toFixed(1);
const line = (what: string, xs: number[], target = '') =>
  console.log(`  ${what.padEnd(44)} p50 ${f(pct(xs, 50))} ms, p95 ${f(pct(xs, 95))} ms, p99 ${f(pct(xs, 99))} ms, max ${f(Math.max(...xs))} ms (n=${xs.length})${target}`);
const LAG_RESOLUTION_MS = 5;

const { createClock } = await import('../../src/clock.js');
const { testConfig } = await import('../../src/config.js');
const { openDb } = await import('../../src/db/client.js');
const { createApp } = await import('../../src/api/app.js');
const { startHttpServer } = await import('../../src/api/server.js');
const { EventBus } = await import('../../src/events/bus.js');
const { startTaskProgress } = await import('../../src/events/progress.js');
const { connectAri } = await import('../../stasis/ari/ari-client-port.js');
const { createDialer } = await import('../../stasis/dialer/index.js');

const CALLS = Number(values.calls);
const SCALE = Number(values.scale);
const PORT = 18000 + Math.floor(Math.random() * 2000);
// The simulator in a process of its own: the service's event loop is the service's alone.
const sim = spawn(process.execPath, ['--import', 'tsx', 'sim/main.ts', '--port', String(PORT), '--time-scale', String(SCALE)], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((resolve, reject) => {
  sim.stdout!.on('data', (d: Buffer) => d.toString().includes('ARI URL') && resolve());
  sim.on('exit', (c) => reject(new Error(`simulator exited ${c}`)));
});

const dir = mkdtempSync(join(tmpdir(), 'cockpit-live-'));
const config = testConfig({ DIALER_DATA_DIR: dir, DIALER_TIME_SCALE: String(SCALE), DIALER_HTTP_PORT: '0', DIALER_HTTP_HOST: '127.0.0.1', DIALER_ADMIN_PASSWORD: 'bench' });
const db = await openDb(join(dir, 'bench.sqlite'));
const log = pino({ level: 'silent' });
const bus = new EventBus();
const progress = startTaskProgress({ db, bus, log });
const ari = await connectAri({ url: `http://127.0.0.1:${PORT}`, username: 'asterisk', password: 'asterisk', app: 'bench', log });
// A survey of 3 s (scaled) once answered.
const runSurvey = async (session: { clock: { sleep(ms: number, s?: AbortSignal): Promise<unknown> }; signal: AbortSignal; ended?: unknown }) => {
  await session.clock.sleep(3000, session.signal);
  return session.ended ? { result: 'FAIL_POLLING' as const, reason: 'hangup' as const } : { result: 'SUCCESS_POLLING' as const };
};
const dialer = createDialer({ config, db, log, ari, clock: createClock(SCALE), runSurvey: runSurvey as never, simulator: true, events: bus });
const app = createApp({ config, db, log, dialer, audio: { convert: async () => ({ ok: false, message: 'n/a' }) }, prompts: { prepare: async () => ({ errors: [], warnings: [] }) }, events: bus });
const server = await startHttpServer(app, config, log);
await dialer.start();

// Other open cockpits, if asked for: SSE clients in another process (sse-fanout.ts's).
let clients: ReturnType<typeof fork> | undefined;
if (Number(values.streams) > 0) {
  clients = fork(fileURLToPath(new URL('./sse-fanout.ts', import.meta.url)), ['--role', 'clients', '--url', server.url, '--streams', values.streams!], { execArgv: ['--import', 'tsx'] });
  await new Promise<void>((resolve, reject) => {
    clients!.once('message', () => resolve());
    clients!.once('exit', (code) => reject(new Error(`the clients' process exited (${code})`)));
  });
}

// The campaign, paused while the page opens: answered + survey, busy, no answer, hang-up, unallocated.
const digits = ['1', '1', '0', '2', '3', '5', '8'];
const taskId = (await db.value<number>(`INSERT INTO tasks (name, innerNum, innerNumType, maxCountChannels, state) VALUES ('live bench', '1', 'polling', ?, 2) RETURNING id`, [Number(values.channels)]))!;
await db.tx(async (q) => {
  for (let i = 0; i < CALLS; i++) {
    const phone = `7930${String(i).padStart(6, '0')}${digits[i % digits.length]}`;
    await q.run('INSERT INTO task_results (taskId, phoneId, phone, changeTime) VALUES (?, ?, ?, 0)', [taskId, phone.slice(-10), phone]);
  }
});

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
const page = await browser.newPage();
// a page's own requests are never "local" (CSRF): the operator logs in, even on the PBX host
await page.goto(`${server.url}/cockpit`);
await page.fill('input[name=login]', 'admin');
await page.fill('input[name=password]', 'bench');
await page.click('button[type=submit]');
const row = `tr[data-task="${taskId}"]`;
await page.waitForSelector(`${row} .done-count`, { timeout: 10_000 }).catch(async (err: unknown) => {
  console.log(`the page never showed the campaign: ${String(err)}\n${(await page.textContent('body'))?.slice(0, 500)}`);
  process.exit(1);
});
await page.waitForFunction(() => document.querySelector('[data-live="live"]') !== null);
// In the page: when each call.ended arrives (ms after its `at`), and every change of the done count.
await page.evaluate((sel) => {
  const w = window as unknown as { shown: [number, number][]; arrived: number[] };
  w.shown = [];
  w.arrived = [];
  const es = new EventSource('/pbxcore/api/module-dialer/v1/events');
  es.addEventListener('call.ended', (m) => w.arrived.push(performance.timeOrigin + performance.now() - JSON.parse((m as MessageEvent).data).at));
  const el = document.querySelector(`${sel} .done-count`)!;
  new MutationObserver(() => w.shown.push([performance.timeOrigin + performance.now(), Number(el.textContent)])).observe(el, { childList: true, characterData: true, subtree: true });
}, row);

const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
lag.enable();
const t0 = performance.now();
await fetch(`${server.url}/pbxcore/api/module-dialer/v1/task/${taskId}`, { method: 'PUT', body: JSON.stringify({ state: 0 }), headers: { 'content-type': 'application/json' } });
for (;;) {
  await new Promise((r) => setTimeout(r, 100));
  if ((await db.value<number>('SELECT state FROM tasks WHERE id = ?', [taskId])) === 1 && dialer.status().callsInFlight === 0) break;
}
const seconds = (performance.now() - t0) / 1000;
lag.disable();
await new Promise((r) => setTimeout(r, 500)); // the last updates on their way
const { shown, arrived } = await page.evaluate(() => {
  const w = window as unknown as { shown: [number, number][]; arrived: number[] };
  return { shown: w.shown, arrived: w.arrived };
});

// The i-th attempt closed (by closeTime) is on the page once the done count shows i or more.
const closed = (await db.values<number>('SELECT closeTime FROM task_results WHERE taskId = ? AND closeTime <> 0 ORDER BY closeTime', [taskId])).map((s) => s * 1000);
const toPage: number[] = [];
let k = 0;
for (let i = 0; i < closed.length; i++) {
  while (k < shown.length && shown[k]![1] < i + 1) k++;
  if (k === shown.length) break;
  toPage.push(Math.max(0, shown[k]![0] - closed[i]!));
}
const ms = (ns: number) => Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS);

console.log(`Cockpit liveness: ${CALLS} numbers, ${closed.length} attempts closed in ${f(seconds)} s (${f(closed.length / seconds)}/s), maxCountChannels ${values.channels}, time scale ${SCALE}, ${values.streams} other SSE streams`);
line('call end → event in the page', arrived);
line('call end → the page shows it (done count)', toPage, ' (target < 200)');
console.log(`  attempts the page never showed: ${closed.length - toPage.length}; final done count on the page ${shown.at(-1)?.[1] ?? 0} of ${closed.length}`);
console.log(`  service event-loop lag: p50 ${f(ms(lag.percentile(50)))} ms, p99 ${f(ms(lag.percentile(99)))} ms, max ${f(ms(lag.max))} ms`);

await browser.close();
clients?.kill();
await dialer.stop();
progress.stop();
await server.close();
await ari.close();
sim.kill();
await db.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
