/**
 * Dialer benchmark against the ARI simulator (run in a child process so its work does not count as ours).
 *   npx tsx scripts/bench/dialer-bench.ts [--calls 1000] [--cycles 300] [--sustain 5000]
 * Prints:
 *  1. agent-free → next originate delay (DeviceStateChanged NOT_INUSE received → originate sent), p50/p99/max
 *  2. originate rate: burst (1 000 at once) and sustained (refilling maxCountChannels), no rate limit
 *  3. event-loop lag and RSS of the dialer process with 1 000 calls in flight
 * and, to tell the dialer's own time from the machine's (on a shared machine the tail is mostly other processes'),
 * for 1. the dialer thread's time on a CPU and its time runnable but waiting for one (Linux schedstat) per cycle, and
 * the GC pauses in the cycles; for 2b the CPU time per call.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { createClock } from '../../src/clock.js';
import { testConfig } from '../../src/config.js';
import { openDb } from '../../src/db/client.js';
import type { tasks } from '../../src/db/schema.js';
import { connectAri } from '../../stasis/ari/ari-client-port.js';
import type { AriPort } from '../../stasis/ari/port.js';
import { createDialer } from '../../stasis/dialer/index.js';
import type { RunSurvey } from '../../stasis/survey/types.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000' },
    cycles: { type: 'string', default: '300' },
    sustain: { type: 'string', default: '5000' },
  },
});
const CALLS = Number(values.calls);
const CYCLES = Number(values.cycles);
const SUSTAIN = Number(values.sustain);
const SCALE = 0.01;
const PORT = 18000 + Math.floor(Math.random() * 2000);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const f = (n: number) => n.toFixed(2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** This thread's [ns on a CPU, ns runnable but waiting for a CPU] (Linux); zeros elsewhere. */
const SCHEDSTAT = '/proc/thread-self/schedstat';
const hasSchedstat = existsSync(SCHEDSTAT);
const sched = (): [number, number] => {
  if (!hasSchedstat) return [0, 0];
  const [run, wait] = readFileSync(SCHEDSTAT, 'utf8').split(' ').map(Number);
  return [run ?? 0, wait ?? 0];
};
/** GC pauses of this process (start, duration; ms on performance.now()'s clock). */
const gcPauses: { start: number; ms: number }[] = [];
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) gcPauses.push({ start: e.startTime, ms: e.duration });
}).observe({ entryTypes: ['gc'] });
const gcWithin = (from: number, to: number) =>
  gcPauses.reduce((sum, g) => sum + Math.max(0, Math.min(to, g.start + g.ms) - Math.max(from, g.start)), 0);

async function startSimProcess() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sim/main.ts', '--port', String(PORT), '--time-scale', String(SCALE)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ARI URL') && resolve());
    child.on('exit', (c) => reject(new Error(`simulator exited ${c}`)));
  });
  return child;
}
const simUrl = `http://127.0.0.1:${PORT}`;
const put = (path: string, body: unknown) =>
  fetch(`${simUrl}/sim/${path}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const sim = await startSimProcess();
const dir = mkdtempSync(join(tmpdir(), 'dialer-bench-'));
// A long ring timeout (600 s × 0.01 = 6 s) so the 1 000 calls of phase 3 are all still ringing while measured.
const config = testConfig({
  DIALER_DATA_DIR: dir,
  DIALER_TIME_SCALE: String(SCALE),
  DIALER_SAFETY_TICK_SECONDS: '60',
  DIALER_RING_TIMEOUT_SECONDS: '600',
});
const db = await openDb(join(dir, 'bench.sqlite'));
const log = pino({ level: 'silent' });
const realAri = await connectAri({ url: simUrl, username: 'asterisk', password: 'asterisk', app: 'bench', log });

// Observe originates and device-state events at the port boundary, before the dialer sees them.
const originates: { t: number; endpoint: string; sched: [number, number] }[] = [];
/** Read the schedstat at each originate only while phase 1 measures (a file read each time). */
let perCycle = false;
const ari = new Proxy(realAri, {
  get(target, prop, receiver) {
    if (prop === 'originate') {
      return (req: Parameters<AriPort['originate']>[0]) => {
        originates.push({ t: performance.now(), endpoint: req.endpoint, sched: perCycle ? sched() : [0, 0] });
        return target.originate(req);
      };
    }
    const v = Reflect.get(target, prop, receiver) as unknown;
    return typeof v === 'function' ? v.bind(target) : v;
  },
}) as AriPort;
let lastFree = 0;
let lastFreeSched: [number, number] = [0, 0];
realAri.onEvent((e) => {
  if (e.type === 'DeviceStateChanged' && e.device_state.name === 'PJSIP/201' && e.device_state.state === 'NOT_INUSE') {
    lastFree = performance.now();
    if (perCycle) lastFreeSched = sched();
  }
});

const holdSurvey: RunSurvey = async (session) => {
  await session.clock.sleep(3_600_000, session.signal);
  return { result: 'FAIL_POLLING', reason: 'hangup' };
};
const dialer = createDialer({ config, db, log, ari, clock: createClock(SCALE), runSurvey: holdSurvey, simulator: true });
await dialer.start();

function addTask(values: Partial<typeof tasks.$inferInsert>, phones: string[]) {
  return db.tx(async (q) => {
    const cols = ['name', ...Object.keys(values)];
    const id = (await q.value<number>(`INSERT INTO tasks (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) RETURNING id`, [
      'bench',
      ...Object.values(values),
    ]))!;
    for (const phone of phones) {
      await q.run('INSERT INTO task_results (taskId, phone, phoneId, changeTime) VALUES (?, ?, ?, 0)', [id, phone, phone.slice(-10)]);
    }
    return { id };
  });
}
const openRows = async (taskId: number) =>
  (await db.value<number>('SELECT COUNT(*) FROM task_results WHERE taskId = ? AND closeTime = 0', [taskId])) ?? 0;
async function waitFor(check: () => boolean | Promise<boolean>, ms: number, what: string) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timeout: ${what}`);
    await sleep(5);
  }
}

// --- 1. agent free → next originate --------------------------------------------------------------
{
  await put('agents/201', { answerAfterMs: 0, hangupAfterMs: 300 });
  const phones = Array.from({ length: CYCLES }, (_, i) => `7911${String(i).padStart(6, '0')}7`);
  for (const p of phones) await put(`customers/${p}`, { kind: 'answer', hangupAfterMs: 3_600_000 });
  const mark = originates.length;
  // maxCountChannels above 1 so the limit in play is the agent, not the previous call's clean-up.
  const t = await addTask({ innerNum: '201', maxCountChannels: 3 }, phones);
  const delays: number[] = [];
  /** Per cycle: the dialer thread's ms on a CPU, ms waiting for one, ms of GC pauses. */
  const parts: { cpu: number; runq: number; gc: number }[] = [];
  const sample = (o: (typeof originates)[number]) => {
    delays.push(o.t - lastFree);
    parts.push({ cpu: (o.sched[0] - lastFreeSched[0]) / 1e6, runq: (o.sched[1] - lastFreeSched[1]) / 1e6, gc: gcWithin(lastFree, o.t) });
  };
  let seen = mark + 1;
  perCycle = true;
  dialer.tasksChanged([t.id]);
  const poll = setInterval(() => {
    while (originates.length > seen) {
      const o = originates[seen]!;
      if (!o.endpoint.includes('@internal')) {
        // customer originates after the first one: the delay from the agent becoming free
        if (lastFree > 0 && o.t >= lastFree) sample(o);
      }
      seen++;
    }
  }, 1);
  await waitFor(async () => (await openRows(t.id)) === 0, 120_000, 'agent cycles').catch(async (e) => {
    console.log(JSON.stringify(await db.all('SELECT id, state, result, inDialState FROM task_results WHERE taskId = ? ORDER BY id LIMIT 5', [t.id])), dialer.status());
    throw e;
  });
  clearInterval(poll);
  perCycle = false;
  while (originates.length > seen) {
    const o = originates[seen++]!;
    if (!o.endpoint.includes('@internal') && o.t >= lastFree) sample(o);
  }
  console.log(`1. agent free → next originate: n=${delays.length} p50=${f(pct(delays, 50))} ms p99=${f(pct(delays, 99))} ms max=${f(Math.max(...delays))} ms (target p99 < 20 ms)`);
  if (hasSchedstat) {
    const cpu = parts.map((x) => x.cpu);
    const runq = parts.map((x) => x.runq);
    const own = delays.map((d, i) => d - runq[i]!);
    const gcs = parts.filter((x) => x.gc > 0).map((x) => x.gc);
    console.log(
      `   per cycle, dialer thread: on a CPU p50=${f(pct(cpu, 50))} p99=${f(pct(cpu, 99))} ms; runnable, waiting for a CPU p50=${f(pct(runq, 50))} p99=${f(pct(runq, 99))} ms; ` +
        `delay without that wait p50=${f(pct(own, 50))} p99=${f(pct(own, 99))} ms; cycles with a GC pause ${gcs.length} (longest ${f(Math.max(0, ...gcs))} ms)`,
    );
  }
}

// --- 2+3. 1 000 calls in flight: burst originate rate, event-loop lag, RSS -------------------------
{
  const phones = Array.from({ length: CALLS }, (_, i) => `7922${String(i).padStart(6, '0')}3`);
  for (const p of phones) await put(`customers/${p}`, { kind: 'noAnswer', ringForeverMs: 3_600_000 });
  await sleep(200);
  const rssBefore = process.memoryUsage().rss;
  const mark = originates.length;
  const t0 = performance.now();
  const t = await addTask({ innerNumType: 'polling', innerNum: '1', maxCountChannels: CALLS }, phones);
  const hb = monitorEventLoopDelay({ resolution: 1 });
  hb.enable();
  dialer.tasksChanged([t.id]);
  await waitFor(() => originates.length - mark >= CALLS, 60_000, 'burst');
  hb.disable();
  const burstMs = performance.now() - t0;
  console.log(`   ${CALLS} originates sent in ${f(burstMs)} ms`);
  let most = 0;
  await waitFor(() => (most = Math.max(most, dialer.status().callsInFlight)) >= CALLS, 60_000, 'in flight').catch((e) => {
    console.log(`   at most ${most} calls in flight; ${originates.length - mark} originates`);
    throw e;
  });
  await sleep(1000); // let the originate answers and ringing events settle
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await sleep(2000); // all still ringing (ring timeout 6 s real)
  h.disable();
  const inFlight = dialer.status().callsInFlight;
  console.log(`   event-loop lag while originating them: p50=${f(hb.percentile(50) / 1e6)} ms p99=${f(hb.percentile(99) / 1e6)} ms`);
  const rss = process.memoryUsage().rss;
  console.log(`2a. burst originate rate: ${CALLS} originates in ${f(burstMs)} ms = ${Math.round((CALLS / burstMs) * 1000)}/s`);
  for (const callFile of await db.values<string>('SELECT callFile FROM task_results WHERE taskId = ? AND closeTime = 0', [t.id]))
    void ari.hangup(callFile);
  console.log(
    `3. with ${inFlight} calls in flight: event-loop lag p50=${f(h.percentile(50) / 1e6)} ms p99=${f(h.percentile(99) / 1e6)} ms max=${f(h.max / 1e6)} ms; RSS=${Math.round(rss / 1048576)} MiB (+${Math.round((rss - rssBefore) / 1048576)} MiB)`,
  );
  await waitFor(async () => (await openRows(t.id)) === 0, 60_000, 'burst calls end');
}

// --- 2b. sustained originate rate: busy numbers end at once, maxCountChannels keeps refilling ------
{
  const phones = Array.from({ length: SUSTAIN }, (_, i) => `7933${String(i).padStart(6, '0')}2`);
  const mark = originates.length;
  const t = await addTask({ innerNumType: 'polling', innerNum: '1', maxCountChannels: 200 }, phones);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const sched0 = sched();
  dialer.tasksChanged([t.id]);
  await waitFor(async () => (await openRows(t.id)) === 0, 300_000, 'sustained');
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const sched1 = sched();
  const n = originates.length - mark;
  console.log(`2b. sustained originate rate (200 in flight, calls end at once, no rate limit): ${n} calls in ${f(ms)} ms = ${Math.round((n / ms) * 1000)}/s (target ≥ 200/s)`);
  console.log(
    `   CPU per call: ${Math.round((cpu.user + cpu.system) / n)} µs (process)` +
      (hasSchedstat ? `, ${Math.round((sched1[0] - sched0[0]) / 1e3 / n)} µs (dialer thread); the thread waited for a CPU ${Math.round((sched1[1] - sched0[1]) / 1e6)} ms of the ${Math.round(ms)} ms` : ''),
  );
}

await dialer.stop();
await realAri.close();
sim.kill('SIGTERM');
await db.close();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
