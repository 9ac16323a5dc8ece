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
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { startLiveWorld } from './live-world.js';

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

const CALLS = Number(values.calls);
const world = await startLiveWorld({ scale: Number(values.scale), env: { DIALER_ADMIN_PASSWORD: 'bench' } });
const { db, server } = world;

// Other open cockpits, if asked for: SSE clients in another process (sse-fanout.ts's).
let clients: ReturnType<typeof fork> | undefined;
if (Number(values.streams) > 0) {
  clients = fork(fileURLToPath(new URL('./sse-fanout.ts', import.meta.url)), ['--role', 'clients', '--url', server.url, '--streams', values.streams!], { execArgv: ['--import', 'tsx'] });
  await new Promise<void>((resolve, reject) => {
    clients!.once('message', () => resolve());
    clients!.once('exit', (code) => reject(new Error(`the clients' process exited (${code})`)));
  });
}

// The campaign, paused while the page opens.
const taskId = await world.campaign(CALLS, '30', Number(values.channels), 2);

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
await world.done(taskId);
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

console.log(`Cockpit liveness: ${CALLS} numbers, ${closed.length} attempts closed in ${f(seconds)} s (${f(closed.length / seconds)}/s), maxCountChannels ${values.channels}, time scale ${values.scale}, ${values.streams} other SSE streams`);
line('call end → event in the page', arrived);
line('call end → the page shows it (done count)', toPage, ' (target < 200)');
console.log(`  attempts the page never showed: ${closed.length - toPage.length}; final done count on the page ${shown.at(-1)?.[1] ?? 0} of ${closed.length}`);
console.log(`  service event-loop lag: p50 ${f(ms(lag.percentile(50)))} ms, p99 ${f(ms(lag.percentile(99)))} ms, max ${f(ms(lag.max))} ms`);

await browser.close();
clients?.kill();
await world.close();
process.exit(0);
