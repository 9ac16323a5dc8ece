/**
 * Scale: `npx tsx scripts/bench/scale-million.ts [--tasks 100] [--per-task 10000] [--rss-seconds 30]`.
 * 1) stores 1 000 000 numbers through the API's task service (validation + upsertTask), in batches of tasks;
 * 2) times the dialer's next-number selection on that database (p50/p99 per selection);
 * 3) starts the service as `npm start` runs it (node dist/main.mjs, built from the current sources; ARI = a simulator in
 *    this process) on that database, lets it dial, then dial while a CRM reads big answers, then while a CRM posts
 *    10 000-number tasks, and samples the process RSS from /proc/<pid>/status in each phase.
 */
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dbFileIn, openDb, openSqlite } from '../../src/db/client.js';
import { api, freePort, ROOT, serviceBundle, sleep, startFlags, startService } from '../../test/faults/harness/service.js';
import { startSimulator } from '../../sim/index.js';
import { closeFirstRows, storeNumbers, timeSelection, type SelectionTimes } from './scale-lib.js';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '100' },
    'per-task': { type: 'string', default: '10000' },
    'rss-seconds': { type: 'string', default: '30' },
    keep: { type: 'boolean', default: false },
    /** Node flags instead of those `npm start` uses, e.g. --node-flags="" to see the service untuned. */
    'node-flags': { type: 'string' },
    /** Extra environment for the service, e.g. --env MALLOC_ARENA_MAX=2 (repeatable). */
    env: { type: 'string', multiple: true, default: [] },
    /** Run the TypeScript sources through the tsx loader instead of the bundle, to show what the loader costs. */
    tsx: { type: 'boolean', default: false },
  },
});
const tasks = Number(values.tasks);
const perTask = Number(values['per-task']);
const out = (s: string) => process.stdout.write(`${s}\n`);
const ms = (x: number) => `${x.toFixed(3)} ms`;
const show = (what: string, s: SelectionTimes) => out(`${what.padEnd(58)} n=${s.samples}  p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  max ${ms(s.max)}`);

const dir = mkdtempSync(join(tmpdir(), 'autodialer-scale-'));
const db = openSqlite(dbFileIn(dir));
out(`=== scale: ${tasks} tasks x ${perTask} numbers = ${tasks * perTask} numbers (data dir ${dir}) ===`);

let t0 = performance.now();
const ids = await storeNumbers(db, dir, tasks, perTask, (i, took) => {
  if ((i + 1) % Math.max(1, Math.floor(tasks / 10)) === 0) out(`  stored ${(i + 1) * perTask} numbers (last batch ${took.toFixed(0)} ms)`);
});
const storeMs = performance.now() - t0;
const rows = Number(await db.value('SELECT COUNT(*) FROM task_results'));
out(`stored ${rows} rows through POST /task's service in ${(storeMs / 1000).toFixed(1)} s (${Math.round(rows / (storeMs / 1000))} numbers/s)`);

show('selection, first task, fresh (claim each pick)', await timeSelection(db, ids[0]!, 2000));
const mid = ids[Math.floor(ids.length / 2)]!;
await closeFirstRows(db, mid, Math.max(0, perTask - 1000));
show(`selection, middle task, first ${Math.max(0, perTask - 1000)} rows already dialed`, await timeSelection(db, mid, 500));
show('selection, last task, every client busy (rows skipped)', await timeSelection(db, ids[ids.length - 1]!, 500, true));
// One scheduler pass over every open task: one selection per task.
const pass: number[] = [];
for (let r = 0; r < 20; r++) {
  t0 = performance.now();
  for (const id of ids) await timeSelection(db, id, 1);
  pass.push(performance.now() - t0);
}
pass.sort((a, b) => a - b);
out(`${'a scheduler pass: select + claim once in each of the tasks'.padEnd(58)} n=20  p50 ${ms(pass[10]!)}  p99 ${ms(pass[19]!)}`);
// Leave the database as a campaign would be: bench claims undone.
await db.run(`UPDATE task_results SET state = 'CreateTask', callFile = NULL, originatedAt = NULL, node = NULL, epoch = NULL, inCall = 0 WHERE callFile LIKE 'bench-%'`);
db.client.pragma('wal_checkpoint(TRUNCATE)'); // SQLite: the service starts on a checkpointed file
await db.close();

// --- RSS of the running service on this database ---------------------------------------------
const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const flags = values['node-flags'] === undefined ? startFlags() : values['node-flags'].split(' ').filter(Boolean);
const entry = [...flags, ...(values.tsx ? ['--import', 'tsx', join(ROOT, 'stasis/main.ts')] : [await serviceBundle()])];
// The simulator runs in this process (ARI_URL), so the service's RSS is the service alone.
const sim = await startSimulator({ port: 0, timeScale: 0.05, username: 'scale', password: 'scale' });
const svc = await startService(
  { ariUrl: sim.url, ariUsername: 'scale', ariPassword: 'scale', dataDir: dir, timeScale: 0.05, httpPort: await freePort(), entry, env: { DIALER_LOG_LEVEL: 'warn', ...Object.fromEntries(values.env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) } },
  120_000,
);
const pid = svc.child.pid!;
const afterStart = rssMb(pid);
// Phase 1: dialing only. Phase 2: dialing while a CRM reads (task list, a whole task, 10 000 results).
// Phase 3: dialing while a CRM posts new 10 000-number tasks back to back (paused, so the row count grows but
// the dialing load stays that of phases 1 and 2).
const phase = async (seconds: number, crm: 'none' | 'reads' | 'writes') => {
  const samples: number[] = [];
  let peak: unknown; // the service's own view (GET /health memory) near the highest sample
  const end = Date.now() + seconds * 1000;
  let n = 0;
  while (Date.now() < end) {
    if (crm === 'reads') {
      await api(svc.url, 'GET', '/task?limit=100');
      await api(svc.url, 'GET', `/task/${ids[(n * 7) % ids.length]}`);
      await api(svc.url, 'GET', '/results/0');
      n += 3;
    } else if (crm === 'writes') {
      const numbers = Array.from({ length: perTask }, (_, i) => `8${String(n).padStart(4, '0')}${String(i).padStart(6, '0')}`);
      const r = await api(svc.url, 'POST', '/task', { crmId: `scale-write-${n}`, name: `write ${n}`, innerNum: '1', innerNumType: 'polling', state: 2, numbers });
      if (!r.result) throw new Error(`POST /task: ${JSON.stringify(r.messages)}`);
      n += 1;
    }
    const rss = rssMb(pid);
    if (rss > Math.max(0, ...samples)) peak = (await fetch(`${svc.url}/health`).then((r) => r.json())).memory;
    samples.push(rss);
    await sleep(crm === 'writes' ? 50 : 250);
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length / 2)]!, max: samples[samples.length - 1]!, requests: n, peak: JSON.stringify(peak) };
};
const seconds = Number(values['rss-seconds']);
const dialing = await phase(seconds, 'none');
const withReads = await phase(seconds, 'reads');
const withWrites = await phase(seconds, 'writes');
const health = (await fetch(`${svc.url}/health`).then((r) => r.json())) as { dialer: { callsInFlight: number } };
svc.child.kill('SIGTERM');
await svc.exited;
await sim.stop();
const check = await openDb(dbFileIn(dir));
const dialed = Number(await check.value(`SELECT COUNT(*) FROM task_results WHERE callFile IS NOT NULL`));
await check.close();
out(`service RSS (node ${entry.map((a) => a.replace(ROOT, '')).join(' ')}${values['node-flags'] === undefined && !values.tsx ? ' = npm start' : ''}; simulator in the bench process; ${rows} rows):`);
out(`  after start ${afterStart.toFixed(1)} MB${values.env.length ? ` (env ${values.env.join(' ')})` : ''}`);
out(`  dialing, ${seconds} s: p50 ${dialing.p50.toFixed(1)} MB, max ${dialing.max.toFixed(1)} MB   at the peak: ${dialing.peak}`);
out(`  dialing + ${withReads.requests} API reads (GET /task, GET /task/{id} of ${perTask} rows, GET /results/0), ${seconds} s: p50 ${withReads.p50.toFixed(1)} MB, max ${withReads.max.toFixed(1)} MB   (target < 200 MB)   at the peak: ${withReads.peak}`);
out(`  dialing + ${withWrites.requests} POST /task of ${perTask} new numbers each, ${seconds} s: p50 ${withWrites.p50.toFixed(1)} MB, max ${withWrites.max.toFixed(1)} MB   (target < 200 MB)   at the peak: ${withWrites.peak}`);
out(`  calls originated: ${dialed}; calls in flight at the end: ${health.dialer.callsInFlight}`);
if (!values.keep) rmSync(dir, { recursive: true, force: true });
process.exit(0);
