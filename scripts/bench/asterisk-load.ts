/**
 * Survey load on a REAL Asterisk 22 (the runtime of ../shared/asterisk-runtime): how many concurrent survey calls
 * (Local channels, prompt playback, customer DTMF) the dialer drives here, and the CPU the dialer spends per call
 * against the CPU Asterisk spends on the same calls, both measured over the same window. Target: dialer < 1/10.
 *
 *   npm run bench:asterisk -- [--steps 25,50,100,200,400] [--window 25] [--warmup 10] [--max-seconds 270]
 *                             [--count-ari] [--formats slin] [--cpu-prof DIR] [--service-flags=--perf-basic-prof]
 *
 * --cpu-prof DIR: the service writes a V8 CPU profile there on exit. --count-ari: ARI goes through a counting proxy
 * (ari-count-proxy.ts) and each step prints ARI requests and events per call. --formats F: what-if, the proxy adds
 * formats=F to the dialer's originates (see ari-count-proxy.ts). --warmup S: S seconds of calls at 10 channels
 * first, not in the table, so V8's JIT compiling of the service is not charged to the first step.
 * --service-flags: extra node flags for the service (e.g. --perf-basic-prof, then `perf record -g -p <pid>`).
 *
 * Each step is one polling task with maxCountChannels = N over a pool of numbers of the test world (…1 presses 1,
 * …6 presses 3 then 9, …0 presses nothing and gets defPress 0 plus a playback). The task dials for `window`
 * seconds, is then paused, and the step ends once every call in flight has finished. CPU = utime+stime of the
 * service process and of the Asterisk process (/proc/<pid>/stat) between the step's start and end. Steps stop
 * early when results go wrong, the concurrency is not reached, or the time budget would be exceeded.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pbxMissing, startPbx, type Pbx } from '../../test/asterisk/pbx.js';
import { api, BASE, freePort, serviceBundle, sleep, startFlags, startService, type RunningService } from '../../test/faults/harness/service.js';
import { startAriCountProxy, type AriCounts } from './ari-count-proxy.js';
import { cpuTicks, machineTicks, type MachineTicks } from './proc-cpu.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '25,50,100,200,400' },
    window: { type: 'string', default: '25' },
    'max-seconds': { type: 'string', default: '270' },
    'cpu-prof': { type: 'string' },
    'count-ari': { type: 'boolean', default: false },
    formats: { type: 'string' },
    warmup: { type: 'string', default: '10' },
    'service-flags': { type: 'string', default: '' },
  },
});
const STEPS = values.steps!.split(',').map(Number);
const WINDOW_S = Number(values.window);
const MAX_S = Number(values['max-seconds']);
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const T0 = Date.now();

/** Expected answers per last digit: [questionCrmId, stored result] in order; every call ends SUCCESS_POLLING. */
const EXPECTED: Record<string, [string, string][]> = {
  '1': [['1', 'one']],
  '6': [['1', 'three'], ['2', 'nine']],
  '0': [['1', '0']], // nothing pressed: defPress 0 → playback action, stored as the key
};
const DIGITS = ['1', '6', '0'];

/** A 2.5 s 8 kHz mono 16-bit tone: the format POST /audio stores anyway (it converts what it gets to this). */
function toneWav(seconds = 2.5, rate = 8000): Buffer {
  const n = Math.round(seconds * rate);
  const b = Buffer.alloc(44 + n * 2);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + n * 2, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(6000 * Math.sin((2 * Math.PI * 440 * i) / rate)), 44 + i * 2);
  return b;
}

async function setupPolling(url: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(toneWav())], { type: 'audio/wav' }), 'bench-prompt.wav');
  const up = (await (await fetch(`${url}${BASE}/audio`, { method: 'POST', body: form })).json()) as { result: boolean; data: { filename: string } };
  if (!up.result) throw new Error(`POST /audio: ${JSON.stringify(up)}`);
  const wav = up.data.filename;
  const p = await api(url, 'POST', '/polling', {
    name: 'asterisk-load',
    questions: [
      {
        questionId: '1', questionText: 'Press 1 or 3', questionFile: wav, timeout: 2, defPress: '0',
        press: [
          { key: '1', action: 'answer', value: 'one' },
          { key: '3', action: 'answer', value: 'three', nextQuestion: '2' },
          { key: '0', action: 'playback', value: wav, valueOptions: 'file' },
        ],
      },
      { questionId: '2', questionText: 'Press 9', questionFile: wav, timeout: 3, press: [{ key: '9', action: 'answer', value: 'nine' }] },
    ],
  });
  if (!p.result) throw new Error(`POST /polling: ${JSON.stringify(p)}`);
  return String(p.data.id);
}

interface StepResult {
  n: number;
  peakCalls: number;
  peakChannels: number;
  chanPerCall: number;
  completed: number;
  correct: number;
  wrong: Record<string, number>;
  seconds: number;
  dialerMs: number;
  asteriskMs: number;
  machineBusy: number;
  logLines: number;
}

const lineCount = (file: string) => readFileSync(file, 'utf8').split('\n').length;

/** Asterisk's own count of channels (the CLI is a separate process: it costs Asterisk only a socket read). */
async function channelCount(pbx: Pbx): Promise<number> {
  const out = await pbx.cli('core show channels count').catch(() => '');
  return Number(/(\d+) active channels?/.exec(out)?.[1] ?? NaN);
}

async function runStep(idx: number, n: number, url: string, logFile: string, pbx: Pbx, pids: { dialer: number; asterisk: number }, pollingId: string, window = WINDOW_S): Promise<StepResult> {
  // Pool: enough for calls of ~3 s on average to keep N in flight for the whole window.
  const pool = Math.ceil((n * window) / 3) + n;
  const numbers = Array.from({ length: pool }, (_, i) => `7${idx}${String(i).padStart(8, '0')}${DIGITS[i % 3]}`);
  const l0 = lineCount(logFile);
  const d0 = cpuTicks(pids.dialer);
  const a0 = cpuTicks(pids.asterisk);
  const m0: MachineTicks = machineTicks();
  const t0 = Date.now();
  const task = await api(url, 'POST', '/task', { name: `load ${n}`, innerNum: pollingId, innerNumType: 'polling', maxCountChannels: n, numbers });
  if (!task.result) throw new Error(`POST /task: ${JSON.stringify(task.messages)}`);
  const id: number = task.data.id;
  let peakCalls = 0;
  let peakChannels = 0;
  let chanSum = 0;
  let callSum = 0;
  let paused = false;
  // Sample concurrency every second; pause the task at the end of the window, then wait for the calls to drain.
  for (;;) {
    await sleep(1000);
    const [health, chans] = await Promise.all([fetch(`${url}/health`).then((r) => r.json() as Promise<any>), channelCount(pbx)]);
    const calls: number = health.dialer.callsInFlight;
    peakCalls = Math.max(peakCalls, calls);
    // channels per call over the dialing window (not the drain, where calls end on one side first)
    if (!paused && calls > 0 && chans > 0) {
      chanSum += chans;
      callSum += calls;
    }
    peakChannels = Math.max(peakChannels, chans || 0);
    const elapsed = (Date.now() - t0) / 1000;
    if (!paused && elapsed >= window) {
      await api(url, 'PUT', `/task/${id}`, { state: 2 });
      paused = true;
    }
    if ((paused && calls === 0 && chans === 0) || elapsed > window + 90) break;
  }
  const seconds = (Date.now() - t0) / 1000;
  const chanPerCall = chanSum / callSum;
  const dialerMs = (cpuTicks(pids.dialer) - d0) * TICK_MS;
  const asteriskMs = (cpuTicks(pids.asterisk) - a0) * TICK_MS;
  const machineBusy = machineTicks().busyShare(m0);
  const logLines = lineCount(logFile) - l0;
  // Read results only after the CPU window closed: the GET itself is not part of the calls' cost.
  const t = await api(url, 'GET', `/task/${id}`);
  const answers = new Map<string, [string, string][]>();
  for (const r of t.data.resultsPoling as { phone: string; questionCrmId: string; result: string }[]) {
    const list = answers.get(r.phone) ?? [];
    list.push([r.questionCrmId, r.result]);
    answers.set(r.phone, list);
  }
  let completed = 0;
  let correct = 0;
  const wrong: Record<string, number> = {};
  for (const r of t.data.results as { phone: string; result: string; closeTime: number }[]) {
    if (!r.closeTime) continue;
    completed++;
    const ok = r.result === 'SUCCESS_POLLING' && JSON.stringify(answers.get(r.phone) ?? []) === JSON.stringify(EXPECTED[r.phone.slice(-1)]);
    if (ok) correct++;
    if (ok) continue;
    // e.g. "FAIL_POLLING/…6[1=three]": the result code, the number's kind and the answers stored
    const k = `${r.result}/…${r.phone.slice(-1)}[${(answers.get(r.phone) ?? []).map(([q, v]) => `${q}=${v}`).join(',')}]`;
    wrong[k] = (wrong[k] ?? 0) + 1;
  }
  await api(url, 'DELETE', `/task/${id}`);
  return { n, peakCalls, peakChannels, chanPerCall, completed, correct, wrong, seconds, dialerMs, asteriskMs, machineBusy, logLines };
}

function table(rows: StepResult[]): string {
  const head = ['maxCh', 'peak calls', 'peak chans', 'chans/call', 'completed', 'correct', 'calls/s', 'dialer ms/call', 'asterisk ms/call', 'ratio', 'dialer %cpu', 'asterisk %cpu', 'machine busy'];
  const body = rows.map((r) => [
    r.n, r.peakCalls, r.peakChannels, r.chanPerCall.toFixed(1), r.completed, `${r.correct}/${r.completed}`,
    (r.completed / r.seconds).toFixed(1), (r.dialerMs / r.completed).toFixed(2), (r.asteriskMs / r.completed).toFixed(2),
    (r.dialerMs / r.asteriskMs).toFixed(3), ((r.dialerMs / r.seconds / 10)).toFixed(0) + '%', ((r.asteriskMs / r.seconds / 10)).toFixed(0) + '%',
    (r.machineBusy * 100).toFixed(0) + '%',
  ].map(String));
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(w[i]!)).join('  ');
  return [line(head), ...body.map(line)].join('\n');
}

/** ARI traffic of one step, per completed call (calls still in flight at the window's end are not in the count). */
function perCall(c: AriCounts, calls: number): string {
  const fmt = (m: Map<string, number>) => {
    const all = [...m].sort((a, b) => b[1] - a[1]);
    const sum = all.reduce((a, [, v]) => a + v, 0);
    return `${(sum / calls).toFixed(1)}/call: ` + all.slice(0, 12).map(([k, v]) => `${k} ${(v / calls).toFixed(1)}`).join(', ');
  };
  return `    ARI requests ${fmt(c.requests)}\n    ARI events ${fmt(c.events)}\n`;
}

/** CPU ms per second of both processes with nothing to do: the fixed cost spread over a step's calls. */
async function idleRate(pids: { dialer: number; asterisk: number }): Promise<{ dialer: number; asterisk: number }> {
  const d0 = cpuTicks(pids.dialer);
  const a0 = cpuTicks(pids.asterisk);
  await sleep(5000);
  return { dialer: ((cpuTicks(pids.dialer) - d0) * TICK_MS) / 5, asterisk: ((cpuTicks(pids.asterisk) - a0) * TICK_MS) / 5 };
}

async function main(): Promise<number> {
  const why = pbxMissing();
  if (why) {
    process.stderr.write(`bench:asterisk cannot run: ${why}\n`);
    return 2;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-ast-'));
  let pbx: Pbx | undefined;
  let svc: RunningService | undefined;
  let proxy: Awaited<ReturnType<typeof startAriCountProxy>> | undefined;
  const results: StepResult[] = [];
  try {
    pbx = await startPbx();
    const asterisk = Number(readFileSync(join(pbx.dir, 'run/asterisk.pid'), 'utf8').trim());
    const prof = values['cpu-prof'];
    const extra = values['service-flags']!.split(' ').filter(Boolean);
    if (values['count-ari'] || values.formats) proxy = await startAriCountProxy(pbx.url, values.formats);
    svc = await startService({
      ariUrl: proxy?.url ?? pbx.url, ariUsername: pbx.username, ariPassword: pbx.password, dataDir, timeScale: 1, httpPort: await freePort(),
      // the defaults a user runs with (the harness's 1 s safety tick is for the fault suites)
      env: { DIALER_DEFAULT_DIAL_PREFIX: '0', DIALER_SAFETY_TICK_SECONDS: '5', DIALER_LOG_LEVEL: 'info' },
      ...(prof || extra.length ? { entry: [...startFlags(), ...extra, ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), await serviceBundle()] } : {}),
    }, 30_000);
    const pids = { dialer: svc.child.pid!, asterisk };
    const pollingId = await setupPolling(svc.url);
    const idle = await idleRate(pids);
    process.stdout.write(`asterisk-load: real Asterisk (pid ${asterisk}, ARI ${pbx.url}${values.formats ? `, originates given formats=${values.formats} by the proxy` : ''}), service pid ${pids.dialer}; window ${WINDOW_S} s per step\n` +
      `  idle (no calls, 5 s): dialer ${idle.dialer.toFixed(1)} ms/s, asterisk ${idle.asterisk.toFixed(1)} ms/s of CPU\n`);
    const warm = Number(values.warmup);
    if (warm > 0) {
      const w = await runStep(9, 10, svc.url, join(dataDir, 'service.log'), pbx, pids, pollingId, warm);
      process.stdout.write(`  warm-up: ${w.completed} calls (${w.correct} correct) in ${w.seconds.toFixed(0)} s, dialer ${(w.dialerMs / w.completed).toFixed(1)} ms/call, asterisk ${(w.asteriskMs / w.completed).toFixed(1)} ms/call\n`);
    }
    for (const [i, n] of STEPS.entries()) {
      // a step lasts about window + 15 s of ramp-down; do not start one that would overrun the budget
      if ((Date.now() - T0) / 1000 + WINDOW_S + 20 > MAX_S) {
        process.stdout.write(`  (step ${n} skipped: time budget of ${MAX_S} s)\n`);
        break;
      }
      proxy?.reset();
      const r = await runStep(i, n, svc.url, join(dataDir, 'service.log'), pbx, pids, pollingId);
      results.push(r);
      const wrong = Object.entries(r.wrong).map(([k, v]) => `${k}×${v}`).join(' ');
      process.stdout.write(`  step ${n}: ${r.completed} calls in ${r.seconds.toFixed(0)} s, peak ${r.peakCalls} calls / ${r.peakChannels} channels, service log ${(r.logLines / r.completed).toFixed(1)} lines/call${wrong ? `, wrong: ${wrong}` : ''}\n`);
      if (proxy) process.stdout.write(perCall(proxy.counts, r.completed));
      if (r.correct < r.completed * 0.95) {
        process.stdout.write(`  stopping: more than 5% of the calls at ${n} went wrong\n`);
        break;
      }
      if (r.peakCalls < n * 0.8) {
        process.stdout.write(`  stopping: ${n} concurrent calls not reached (peak ${r.peakCalls})\n`);
        break;
      }
    }
  } finally {
    if (svc) {
      svc.child.kill('SIGTERM');
      const gone = await Promise.race([svc.exited.then(() => true), sleep(15_000).then(() => false)]);
      if (!gone) svc.child.kill('SIGKILL');
    }
    proxy?.close();
    await pbx?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.stdout.write(`\n${table(results)}\n`);
  const worst = Math.max(...results.map((r) => r.dialerMs / r.asteriskMs));
  process.stdout.write(
    `\nCPU in ms of one core per completed call, both processes over the same window (start of the task → last call ended).\n` +
      `A survey call that is up is 4 Asterisk channels (Local ;1/;2 of the outgoing route, ;1/;2 of the customer's Dial);\n` +
      `chans/call is the mean of Asterisk's channel count over the dialer's calls in flight, sampled each second.\n` +
      `Target dialer/asterisk < 0.1: ${worst < 0.1 ? 'met' : 'MISSED'} (worst ratio ${worst.toFixed(3)}). Shared 2-core machine: figures are noisy.\n`,
  );
  return results.length > 0 && worst < 0.1 ? 0 : 1;
}

process.exit(await main());
