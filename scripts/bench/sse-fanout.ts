/**
 * Live event fan-out benchmark: a 1 000-call simulated campaign watched by 100 open SSE streams.
 *   npm run bench:sse [-- --calls 1000 --streams 100 --channels 100 --scale 0.01]
 * (--scale: the simulator's and dialer's time scale; 0.01 runs a 1 000-call campaign in about 3 s, 400 calls/s)
 * The simulator and the SSE clients run in child processes, so only the service's own work (dialer, database,
 * bus, streams) is measured here. The campaign runs twice, without streams (baseline) and with them. Prints:
 *  1. event-loop lag of the service during each campaign, p50 / p99 / max (target p99 < 20 ms with the streams)
 *  2. call's end (result written, event published) → event read by a client, p50 / p99 / max over every client
 *     (target < 200 ms), and whether every client got every call.ended
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';

const { values } = parseArgs({
  options: {
    role: { type: 'string', default: 'service' },
    url: { type: 'string', default: '' },
    calls: { type: 'string', default: '1000' },
    streams: { type: 'string', default: '100' },
    channels: { type: 'string', default: '100' },
    scale: { type: 'string', default: '0.01' },
  },
});

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const f = (n: number) => n.toFixed(1);
const LAG_RESOLUTION_MS = 5;

if (values.role === 'clients') await runClients(values.url, Number(values.streams));
else await runService();

/** The SSE clients: N streams, each noting when every call.ended arrives (ms since the epoch, as the event's `at`). */
async function runClients(url: string, n: number) {
  const latencies: number[] = [];
  const ended = new Array<number>(n).fill(0);
  let open = 0;
  for (let i = 0; i < n; i++) {
    request(`${url}/pbxcore/api/module-dialer/v1/events`, (res) => {
      open++;
      if (open === n) process.send!({ ready: true });
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const now = performance.timeOrigin + performance.now();
        buf += chunk;
        for (let k = buf.indexOf('\n\n'); k >= 0; k = buf.indexOf('\n\n')) {
          const frame = buf.slice(0, k);
          buf = buf.slice(k + 2);
          if (!frame.includes('event: call.ended')) continue;
          const data = JSON.parse(frame.slice(frame.indexOf('data: ') + 6)) as { at: number };
          latencies.push(now - data.at);
          ended[i]!++;
        }
      });
    }).end();
  }
  process.on('message', () => {
    // exit only once the answer is written to the channel (an exit right after send() may lose it)
    process.send!({ latencies, ended }, undefined, {}, () => process.exit(0));
  });
}

async function runService() {
  const { createClock } = await import('../../src/clock.js');
  const { testConfig } = await import('../../src/config.js');
  const { openDb } = await import('../../src/db/client.js');
  const { createApp } = await import('../../src/api/app.js');
  const { startHttpServer } = await import('../../src/api/server.js');
  const { EventBus } = await import('../../src/events/bus.js');
  const { startTaskProgress } = await import('../../src/events/progress.js');
  const { createMetrics } = await import('../../src/metrics/index.js');
  const { connectAri } = await import('../../stasis/ari/ari-client-port.js');
  const { createDialer } = await import('../../stasis/dialer/index.js');

  const CALLS = Number(values.calls);
  const STREAMS = Number(values.streams);
  const SCALE = Number(values.scale);
  const PORT = 18000 + Math.floor(Math.random() * 2000);
  const simUrl = `http://127.0.0.1:${PORT}`;
  const sim = spawn(process.execPath, ['--import', 'tsx', 'sim/main.ts', '--port', String(PORT), '--time-scale', String(SCALE)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    sim.stdout!.on('data', (d: Buffer) => d.toString().includes('ARI URL') && resolve());
    sim.on('exit', (c) => reject(new Error(`simulator exited ${c}`)));
  });

  const dir = mkdtempSync(join(tmpdir(), 'sse-bench-'));
  const config = testConfig({ DIALER_DATA_DIR: dir, DIALER_TIME_SCALE: String(SCALE), DIALER_HTTP_PORT: '0', DIALER_HTTP_HOST: '127.0.0.1' });
  const db = await openDb(join(dir, 'bench.sqlite'));
  const log = pino({ level: 'silent' });
  const bus = new EventBus();
  const progress = startTaskProgress({ db, bus, log });
  const ari = await connectAri({ url: simUrl, username: 'asterisk', password: 'asterisk', app: 'bench', log });
  // A survey of 3 s (30 ms scaled) once answered.
  const runSurvey = async (session: { clock: { sleep(ms: number, s?: AbortSignal): Promise<unknown> }; signal: AbortSignal; ended?: unknown }) => {
    await session.clock.sleep(3000, session.signal);
    return session.ended ? { result: 'FAIL_POLLING' as const, reason: 'hangup' as const } : { result: 'SUCCESS_POLLING' as const };
  };
  const dialer = createDialer({ config, db, log, ari, clock: createClock(SCALE), runSurvey: runSurvey as never, simulator: true, events: bus });
  const metrics = createMetrics({ bus, status: () => dialer.status() });
  const app = createApp({ config, db, log, dialer, audio: { convert: async () => ({ ok: false, message: 'n/a' }) }, prompts: { prepare: async () => ({ errors: [], warnings: [] }) }, events: bus, metrics });
  const server = await startHttpServer(app, config, log);
  await dialer.start();

  /** One campaign of CALLS numbers (answer + survey, busy, no answer, answer + hang up, unallocated); its lag. */
  async function campaign(prefix: string) {
    const digits = ['1', '1', '0', '2', '3', '5', '8'];
    const taskId = await db.value<number>(`INSERT INTO tasks (name, innerNum, innerNumType, maxCountChannels) VALUES ('bench', '1', 'polling', ?) RETURNING id`, [Number(values.channels)]);
    await db.tx(async (q) => {
      for (let i = 0; i < CALLS; i++) {
        const phone = `79${prefix}${String(i).padStart(6, '0')}${digits[i % digits.length]}`;
        await q.run('INSERT INTO task_results (taskId, phoneId, phone, changeTime) VALUES (?, ?, ?, 0)', [taskId, phone.slice(-10), phone]);
      }
    });
    const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    lag.enable();
    const t0 = performance.now();
    dialer.tasksChanged([taskId!]);
    for (;;) {
      await new Promise((r) => setTimeout(r, 100));
      if ((await db.value<number>('SELECT state FROM tasks WHERE id = ?', [taskId])) === 1 && dialer.status().callsInFlight === 0) break;
    }
    lag.disable();
    // the histogram records whole intervals between its own samples: the lag is what exceeds the resolution
    const ms = (ns: number) => Math.max(0, ns / 1e6 - LAG_RESOLUTION_MS);
    return { seconds: (performance.now() - t0) / 1000, p50: ms(lag.percentile(50)), p99: ms(lag.percentile(99)), max: ms(lag.max) };
  }

  const base = await campaign('10');
  const clients: ChildProcess = fork(fileURLToPath(import.meta.url), ['--role', 'clients', '--url', server.url, '--streams', String(STREAMS)], { execArgv: ['--import', 'tsx'] });
  await new Promise<void>((resolve, reject) => {
    clients.once('message', () => resolve());
    clients.once('exit', (code) => reject(new Error(`the clients' process exited (${code})`)));
  });
  const firstEvent = bus.lastId;
  const withStreams = await campaign('20');
  const endedEvents = (() => {
    let n = 0;
    for (let id = firstEvent + 1; id <= bus.lastId; id++) n++;
    return n;
  })();
  await new Promise((r) => setTimeout(r, 500)); // the last events on their way
  clients.send('stats');
  const stats = await new Promise<{ latencies: number[]; ended: number[] }>((resolve) => clients.once('message', (m) => resolve(m as never)));
  const mem = process.memoryUsage();

  console.log(`SSE fan-out: ${CALLS}-call campaign, maxCountChannels ${values.channels}, simulator time scale ${SCALE}`);
  console.log(`  without streams: ${f(base.seconds)} s; event-loop lag p50 ${f(base.p50)} ms, p99 ${f(base.p99)} ms, max ${f(base.max)} ms`);
  console.log(`  with ${STREAMS} streams: ${f(withStreams.seconds)} s; event-loop lag p50 ${f(withStreams.p50)} ms, p99 ${f(withStreams.p99)} ms, max ${f(withStreams.max)} ms (target p99 < 20)`);
  console.log(`  events published during the watched campaign: ${endedEvents} (${STREAMS} streams → ${endedEvents * STREAMS} deliveries)`);
  const l = stats.latencies;
  console.log(`  call end (result written) → event at a client: p50 ${f(pct(l, 50))} ms, p99 ${f(pct(l, 99))} ms, max ${f(Math.max(...l))} ms over ${l.length} deliveries (target < 200)`);
  const complete = stats.ended.every((n) => n === stats.ended[0]);
  console.log(`  call.ended per client: ${Math.min(...stats.ended)}..${Math.max(...stats.ended)} (${complete ? 'every client got every one' : 'MISSING EVENTS'})`);
  console.log(`  service memory after: rss ${f(mem.rss / 1048576)} MB, heap ${f(mem.heapUsed / 1048576)} MB`);

  clients.kill();
  await dialer.stop();
  progress.stop();
  metrics.stop();
  await server.close();
  await ari.close();
  sim.kill();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
