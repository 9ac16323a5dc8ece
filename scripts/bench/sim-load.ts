/**
 * Load benchmark of the ARI simulator: N concurrent answered calls, each playing an announcement
 * and receiving customer DTMF, driven through the unmodified ari-client.
 *
 *   npx tsx scripts/bench/sim-load.ts [--calls 1000] [--hold-ms 30000] [--time-scale 1] [--in-process]
 *
 * By default the simulator runs in a child process (`sim/main.ts`), so its event-loop lag (from
 * GET /sim/stats) is not mixed with the client's. Prints: peak concurrent calls, events/s, the
 * lateness of scripted DTMF and playback ends against their schedule, and the event-loop lag of
 * both processes. "Fell behind" = a call never answered, or p99 lateness above 250 ms.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import ari from 'ari-client';
import { startSimulator } from '../../sim/index.js';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000' },
    'hold-ms': { type: 'string', default: '30000' },
    port: { type: 'string', default: '18991' },
    'in-process': { type: 'boolean', default: false },
    'time-scale': { type: 'string', default: '1' },
  },
});
const CALLS = Number(values.calls);
const HOLD_MS = Number(values['hold-ms']);
const SCALE = Number(values['time-scale']);
const DTMF_AT = [3000, 8000];
const ANNOUNCEMENT_MS = 5300;

type Ev = Record<string, any> & { type: string };

async function startSim(): Promise<{ url: string; stop: () => Promise<void>; child?: ChildProcess }> {
  if (values['in-process']) {
    const sim = await startSimulator({ port: Number(values.port), timeScale: SCALE });
    return { url: sim.url, stop: sim.stop };
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'sim/main.ts', '--port', values.port!, '--time-scale', String(SCALE)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ARI URL') && resolve());
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${values.port}`, child, stop: async () => void child.kill('SIGTERM') };
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!);
};

async function main(): Promise<void> {
  const sim = await startSim();
  const auth = `Basic ${Buffer.from('asterisk:asterisk').toString('base64')}`;
  const ctl = (method: string, path: string, body?: unknown) =>
    fetch(`${sim.url}${path}`, { method, headers: { 'content-type': 'application/json', authorization: auth }, body: body ? JSON.stringify(body) : undefined });

  const numbers = Array.from({ length: CALLS }, (_, i) => String(4990000000 + i));
  for (const n of numbers) {
    await ctl('PUT', `/sim/customers/${n}`, {
      kind: 'answer', ringing: true, answerAfterMs: 1000 + (Number(n) % 2000),
      dtmf: DTMF_AT.map((t, i) => ({ afterAnswerMs: t, digits: String(i + 1) })), hangupAfterMs: HOLD_MS,
    });
  }
  const client: any = await ari.connect(sim.url, 'asterisk', 'asterisk');
  const answeredAt = new Map<string, number>();
  const pbStarted = new Map<string, number>();
  const dtmfLate: number[] = [];
  const playLate: number[] = [];
  let events = 0;
  const perSecond = new Map<number, number>();
  let up = 0;
  let peakUp = 0;
  let ended = 0;
  client.on('*', (e: Ev) => {
    events++;
    const now = Date.now();
    const sec = Math.floor(now / 1000);
    perSecond.set(sec, (perSecond.get(sec) ?? 0) + 1);
    const id: string | undefined = e.channel?.id;
    switch (e.type) {
      case 'StasisStart':
        answeredAt.set(id!, now);
        peakUp = Math.max(peakUp, ++up);
        client.channels.playWithId({ channelId: id, playbackId: `pb-${id}`, media: 'sound:custom/dialer-announcement' }).catch(() => undefined);
        break;
      case 'StasisEnd':
        up--;
        break;
      case 'ChannelDestroyed':
        if (!id!.endsWith(';2')) ended++;
        break;
      case 'ChannelDtmfReceived': {
        const t0 = answeredAt.get(id!);
        if (t0 !== undefined) dtmfLate.push(now - t0 - DTMF_AT[Number(e.digit) - 1]! * SCALE);
        client.channels.play({ channelId: id, media: 'sound:beep' }).catch(() => undefined);
        break;
      }
      case 'PlaybackStarted':
        pbStarted.set(e.playback.id, now);
        break;
      case 'PlaybackFinished':
        if (e.playback.id.startsWith('pb-') && e.playback.state === 'done') playLate.push(now - pbStarted.get(e.playback.id)! - ANNOUNCEMENT_MS * SCALE);
        break;
    }
  });
  await client.start('load');
  await ctl('DELETE', '/sim/stats');
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < CALLS) {
      const i = next++;
      await client.channels.originate({ endpoint: `Local/0${numbers[i]}@outgoing`, app: 'load', channelId: `load-${i}`, timeout: 60 });
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
  const originatedIn = Date.now() - t0;
  while (ended < CALLS && Date.now() - t0 < HOLD_MS * SCALE + 60_000) await new Promise((r) => setTimeout(r, 200));
  const elapsed = (Date.now() - t0) / 1000;
  lag.disable();
  const simStats = (await (await ctl('GET', '/sim/stats')).json()) as any;
  client.stop();
  await sim.stop();

  const ms = (n: number) => Math.round(n / 1e5) / 10;
  const behind = answeredAt.size < CALLS || pct(dtmfLate, 99) > 250 || pct(playLate, 99) > 250;
  const out = [
    `sim-load: ${CALLS} calls via ari-client, time scale ${SCALE} (simulator ${values['in-process'] ? 'in-process' : 'in a child process'})`,
    `  originated all in ${originatedIn} ms; answered ${answeredAt.size}; ended ${ended}; peak concurrent answered ${peakUp}`,
    `  client events: ${events} in ${elapsed.toFixed(1)} s = ${Math.round(events / elapsed)} events/s on average, peak ${Math.max(...perSecond.values())} in one second`,
    `  simulator: ${simStats.eventsDelivered} events delivered, event-loop lag p50 ${simStats.eventLoopLagMs.p50} ms, p99 ${simStats.eventLoopLagMs.p99} ms, max ${simStats.eventLoopLagMs.max} ms`,
    `  client:    event-loop lag p50 ${ms(lag.percentile(50))} ms, p99 ${ms(lag.percentile(99))} ms, max ${ms(lag.max)} ms`,
    `  DTMF lateness vs schedule, from StasisStart arrival (n=${dtmfLate.length}): p50 ${pct(dtmfLate, 50)} ms, p99 ${pct(dtmfLate, 99)} ms, max ${pct(dtmfLate, 100)} ms`,
    `  announcement end lateness, from PlaybackStarted arrival (n=${playLate.length}): p50 ${pct(playLate, 50)} ms, p99 ${pct(playLate, 99)} ms`,
    `  fell behind: ${behind ? 'YES' : 'no'}`,
  ];
  process.stdout.write(out.join('\n') + '\n');
  process.exit(behind ? 1 : 0);
}

await main();
