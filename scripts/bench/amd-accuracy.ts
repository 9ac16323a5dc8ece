/**
 * Answering-machine detection: how accurate, and what it costs a person.
 *   npx tsx scripts/bench/amd-accuracy.ts [--sim 50] [--pbx 10]
 * 1. Simulator (always): the test world's people (..0 silent, ..1 and ..6 press keys) and machines (..9), plus
 *    scripted SIP-like callers whose audio keeps flowing: people saying "hello" (0.3–1.4 s) and machines with
 *    greetings of 2.5–12 s. `--sim N` calls of each kind.
 * 2. Real Asterisk 22 (when ../shared/asterisk-runtime is installed): `--pbx N` calls of each test-world kind,
 *    once with our TALK_DETECT screening (the dialer, task amd=hangup), once with a hop through app_amd's AMD()
 *    (default amd.conf) for comparison.
 * Prints per kind: people hung up on as machines (target 0), machines detected (target all), and the seconds
 * screening added to a person's call before the survey / agent starts (target under 2.5 s).
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import ari from 'ari-client';
import pino from 'pino';
import { createClock } from '../../src/clock.js';
import { testConfig } from '../../src/config.js';
import { openDb } from '../../src/db/client.js';
import { connectAri } from '../../stasis/ari/ari-client-port.js';
import { createDialer } from '../../stasis/dialer/index.js';
import type { RunSurvey } from '../../stasis/survey/types.js';
import { startSimulator } from '../../sim/index.js';
import type { CustomerScenario } from '../../sim/world.js';
import { freePort } from '../../test/faults/harness/service.js';
import { pbxMissing, PREFIX, RUNTIME } from '../../test/asterisk/pbx.js';

const { values } = parseArgs({ options: { sim: { type: 'string', default: '50' }, pbx: { type: 'string', default: '10' } } });
const SIM_N = Number(values.sim);
const PBX_N = Number(values.pbx);

type Kind = { name: string; machine: boolean; digit?: string; scenario?: (i: number) => CustomerScenario };
interface Verdict { kind: 'person' | 'machine' | 'gone'; ms: number; why?: string }

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};
const sec = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(2) : '-');

function report(title: string, kinds: Kind[], verdicts: Map<string, Verdict>, numbersOf: (k: Kind) => string[]) {
  console.log(`\n${title}`);
  console.log('| caller | calls | judged person | judged machine | gone | person: added s p50 / p95 / max |');
  console.log('|---|---|---|---|---|---|');
  let wrongPeople = 0;
  let missedMachines = 0;
  const added: number[] = [];
  for (const k of kinds) {
    const vs = numbersOf(k).map((n) => verdicts.get(n)).filter((v): v is Verdict => !!v);
    const person = vs.filter((v) => v.kind === 'person');
    const machine = vs.filter((v) => v.kind === 'machine');
    if (k.machine) missedMachines += person.length;
    else {
      wrongPeople += machine.length;
      added.push(...person.map((v) => v.ms));
    }
    const ms = person.map((v) => v.ms);
    console.log(`| ${k.name} | ${numbersOf(k).length} | ${person.length} | ${machine.length} | ${vs.length - person.length - machine.length + numbersOf(k).length - vs.length} | ${k.machine ? '' : `${sec(pct(ms, 50))} / ${sec(pct(ms, 95))} / ${sec(Math.max(...ms))}`} |`);
  }
  console.log(`people hung up on as machines: ${wrongPeople} (target 0); machines missed: ${missedMachines} (target 0); ` +
    `seconds added to a person's call: p50 ${sec(pct(added, 50))}, p95 ${sec(pct(added, 95))}, max ${sec(Math.max(...added))} (target < 2.5)`);
}

/** The dialer's screening verdicts, read from its log ('answering-machine screening'). */
function verdictLog() {
  const byChannel = new Map<string, Verdict>();
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of String(chunk).split('\n')) {
        if (!line.includes('answering-machine screening')) continue;
        const j = JSON.parse(line) as { channelId: string; amd: Verdict };
        byChannel.set(j.channelId, j.amd);
      }
      cb();
    },
  });
  return { byChannel, log: pino({ level: 'info' }, stream) };
}

const holdSurvey: RunSurvey = async (session) => {
  await session.clock.sleep(300, session.signal);
  return { result: 'SUCCESS_POLLING' };
};

/** Run one amd=hangup survey campaign through the dialer; verdicts by phone number. */
async function dialerRun(o: { ariUrl: string; user: string; password: string; scale: number; numbers: string[]; channels: number; ring?: string }) {
  const dir = mkdtempSync(join(tmpdir(), 'amd-bench-'));
  const config = testConfig({
    DIALER_DATA_DIR: dir, DIALER_TIME_SCALE: String(o.scale), DIALER_LOG_LEVEL: 'info', DIALER_DEFAULT_DIAL_PREFIX: '0',
    DIALER_RING_TIMEOUT_SECONDS: o.ring ?? '20', DIALER_SAFETY_TICK_SECONDS: '1',
  });
  const db = await openDb(join(dir, 'bench.sqlite'));
  const v = verdictLog();
  const port = await connectAri({ url: o.ariUrl, username: o.user, password: o.password, app: 'amdbench', log: v.log });
  const dialer = createDialer({ config, db, log: v.log, ari: port, clock: createClock(o.scale), runSurvey: holdSurvey, simulator: false });
  await dialer.start();
  const task = (await db.get<{ id: number }>(
    `INSERT INTO tasks (name, innerNum, innerNumType, maxCountChannels, amd, changeTime) VALUES ('amd', '1', 'polling', ?, 'hangup', 0) RETURNING id`, [o.channels]))!;
  await db.tx(async (q) => {
    for (const n of o.numbers) await q.run('INSERT INTO task_results (taskId, phoneId, phone, changeTime) VALUES (?, ?, ?, 0)', [task.id, n.slice(-10), n]);
  });
  dialer.tasksChanged([task.id]);
  const t0 = Date.now();
  while ((await db.value<number>('SELECT state FROM tasks WHERE id = ?', [task.id])) !== 1) {
    if (Date.now() - t0 > 600_000) throw new Error('campaign did not finish in 10 min');
    await new Promise((r) => setTimeout(r, 200));
  }
  const rows = await db.all<{ phone: string; callFile: string }>('SELECT phone, callFile FROM task_results WHERE taskId = ?', [task.id]);
  await dialer.stop();
  await port.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  const byPhone = new Map<string, Verdict>();
  for (const r of rows) {
    const verdict = v.byChannel.get(r.callFile);
    if (verdict) byPhone.set(r.phone, verdict);
  }
  return byPhone;
}

const num = (prefix: string, i: number, digit: string) => `7${prefix}${String(i).padStart(6, '0')}${digit}`;

// 1. Simulator
{
  const rnd = (() => { let s = 7; return () => ((s = (s * 48271) % 2147483647) / 2147483647); })();
  const kinds: Kind[] = [
    { name: 'test world ..0 (silent person)', machine: false, digit: '0' },
    { name: 'test world ..1 (presses 1)', machine: false, digit: '1' },
    { name: 'test world ..6 (presses 3, 9)', machine: false, digit: '6' },
    { name: 'test world ..9 (machine, no frames after)', machine: true, digit: '9' },
    { name: 'SIP person saying hello 0.3–1.4 s', machine: false, scenario: () => ({ kind: 'answer', hangupAfterMs: 20_000, talk: [{ afterAnswerMs: 200 + rnd() * 800, durationMs: 300 + rnd() * 1100, framesAfter: true }] }) },
    { name: 'SIP machine, greeting 2.5–12 s', machine: true, scenario: () => ({ kind: 'answer', hangupAfterMs: 30_000, talk: [{ afterAnswerMs: 300 + rnd() * 1200, durationMs: 2500 + rnd() * 9500, framesAfter: true }] }) },
  ];
  const scale = 0.25; // faster would scale timer noise up into the measured seconds
  const sim = await startSimulator({ port: 0, timeScale: scale, seed: 1 });
  const numbers = new Map<Kind, string[]>();
  kinds.forEach((k, ki) => {
    const ns: string[] = [];
    for (let i = 0; i < SIM_N; i++) {
      const n = num(`9${ki}`, i, k.digit ?? '7');
      if (k.scenario) sim.world.setCustomer(n, k.scenario(i));
      ns.push(n);
    }
    numbers.set(k, ns);
  });
  const verdicts = await dialerRun({ ariUrl: sim.url, user: sim.username, password: sim.password, scale, numbers: [...numbers.values()].flat(), channels: 30 });
  await sim.stop();
  report(`Simulator (${SIM_N} calls of each kind, TALK_DETECT screening)`, kinds, verdicts, (k) => numbers.get(k)!);
}

// 2. Real Asterisk
const missing = pbxMissing();
if (missing || PBX_N <= 0) {
  console.log(`\nReal Asterisk: skipped (${missing ?? '--pbx 0'})`);
} else {
  const base = mkdtempSync(join(tmpdir(), 'pbx-'));
  const conf = join(base, 'conf');
  cpSync(join(RUNTIME, 'conf'), conf, { recursive: true });
  // The app_amd hop for comparison: AMD() with the runtime's amd.conf, then back into Stasis with its verdict.
  appendFileSync(join(conf, 'extensions.conf'), '\n[autodialer-amd]\nexten => s,1,AMD()\n same => n,Stasis(amdprobe,amd,${AMDSTATUS},${AMDCAUSE})\n same => n,Hangup()\n');
  const inst = join(base, 'i');
  const httpPort = await freePort();
  const env = { ...process.env, PBX_ARI_AUTH: 'autodialer:autodialer' };
  execFileSync(join(RUNTIME, 'run-pbx.sh'), ['--dir', inst, '--http-port', String(httpPort), '--conf', conf, '--prefix', PREFIX], { env, stdio: 'ignore' });
  const url = `http://127.0.0.1:${httpPort}`;
  try {
    const kinds: Kind[] = [
      { name: 'test world ..0 (silent person)', machine: false, digit: '0' },
      { name: 'test world ..1 (presses 1)', machine: false, digit: '1' },
      { name: 'test world ..6 (presses 3, 9)', machine: false, digit: '6' },
      { name: 'test world ..9 (machine)', machine: true, digit: '9' },
    ];
    const numbers = new Map<Kind, string[]>(kinds.map((k, ki) => [k, Array.from({ length: PBX_N }, (_, i) => num(`8${ki}`, i, k.digit!))]));
    const all = [...numbers.values()].flat();
    const talk = await dialerRun({ ariUrl: url, user: 'autodialer', password: 'autodialer', scale: 1, numbers: all, channels: 10 });
    report(`Real Asterisk 22.10.1 (${PBX_N} calls of each kind): TALK_DETECT screening in the dialer`, kinds, talk, (k) => numbers.get(k)!);
    const amd = await appAmdRun(url, all, 10);
    report(`Real Asterisk 22.10.1 (${PBX_N} calls of each kind): AMD() hop (app_amd, default amd.conf); NOTSURE counted as person`, kinds, amd, (k) => numbers.get(k)!);
  } finally {
    execFileSync(join(RUNTIME, 'stop-pbx.sh'), ['--dir', inst], { stdio: 'ignore' });
    rmSync(base, { recursive: true, force: true });
  }
}

/** Each number originated into Stasis, then sent through AMD() and back; the verdict and its time since answer. */
async function appAmdRun(url: string, numbers: string[], concurrency: number): Promise<Map<string, Verdict>> {
  const client = await ari.connect(url, 'autodialer', 'autodialer');
  const out = new Map<string, Verdict>();
  const waiting = new Map<string, (v: Verdict) => void>();
  const answered = new Map<string, number>();
  client.on('StasisStart', (e: any, ch: any) => {
    const n = String(ch.id).replace(/^amd-/, '');
    if (e.args?.[0] === 'amd') {
      const status = String(e.args[1]);
      waiting.get(n)?.({ kind: status === 'MACHINE' ? 'machine' : 'person', why: `${status} ${e.args[2] ?? ''}`, ms: Date.now() - answered.get(n)! });
      void ch.hangup().catch(() => {});
      return;
    }
    answered.set(n, Date.now());
    void ch.continueInDialplan({ context: 'autodialer-amd', extension: 's', priority: 1 }).catch(() => {});
  });
  client.on('ChannelDestroyed', (_e: any, ch: any) => {
    const n = String(ch.id).replace(/^amd-/, '');
    setTimeout(() => waiting.get(n)?.({ kind: 'gone', ms: 0 }), 500);
  });
  await client.start('amdprobe');
  const queue = [...numbers];
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let n = queue.shift(); n; n = queue.shift()) {
      const v = await new Promise<Verdict>((resolve) => {
        waiting.set(n!, resolve);
        client.channels.originate({ endpoint: `Local/0${n}@outgoing`, app: 'amdprobe', channelId: `amd-${n}`, timeout: 20 }).catch(() => resolve({ kind: 'gone', ms: 0 }));
      });
      waiting.delete(n);
      out.set(n, v);
    }
  }));
  client.stop();
  return out;
}
process.exit(0);
