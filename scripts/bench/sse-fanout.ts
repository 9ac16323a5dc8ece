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
import { fork, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

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
  const { startLiveWorld } = await import('./live-world.js');
  const CALLS = Number(values.calls);
  const STREAMS = Number(values.streams);
  const SCALE = Number(values.scale);
  const world = await startLiveWorld({ scale: SCALE });
  const { bus, server } = world;

  /** One campaign of CALLS numbers (answer + survey, busy, no answer, answer + hang up, unallocated); its lag. */
  async function campaign(prefix: string) {
    const taskId = await world.campaign(CALLS, prefix, Number(values.channels), 2);
    const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    lag.enable();
    const t0 = performance.now();
    await world.db.run('UPDATE tasks SET state = 0 WHERE id = ?', [taskId]);
    world.dialer.tasksChanged([taskId]);
    await world.done(taskId);
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
  await world.close();
  process.exit(0);
}
