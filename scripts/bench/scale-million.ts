/**
 * Scale: `npx tsx scripts/bench/scale-million.ts [--tasks 100] [--per-task 10000] [--rss-seconds 30]`.
 * 1) stores 1 000 000 numbers through the API's task service (validation + upsertTask), in batches of tasks;
 * 2) times the dialer's next-number selection on that database (p50/p99 per selection);
 * 3) starts the service as `npm start` runs it (node dist/main.mjs, built from the current sources; ARI = a simulator in
 *    this process) on that database, lets it dial and serve API reads, and samples the process's RSS from /proc/<pid>/status.
 */
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dbFileIn, openDb } from '../../src/db/client.js';
import { api, freePort, ROOT, sleep, startService } from '../../test/faults/harness/service.js';
import { startSimulator } from '../../sim/index.js';
import { closeFirstRows, storeNumbers, timeSelection, type SelectionTimes } from './scale-lib.js';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '100' },
    'per-task': { type: 'string', default: '10000' },
    'rss-seconds': { type: 'string', default: '30' },
    keep: { type: 'boolean', default: false },
    /** e.g. "--max-old-space-size=96": shows whether the heap is retained or only collected lazily. */
    'node-options': { type: 'string', default: '' },
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
const db = openDb(dbFileIn(dir));
out(`=== scale: ${tasks} tasks x ${perTask} numbers = ${tasks * perTask} numbers (data dir ${dir}) ===`);

let t0 = performance.now();
const ids = storeNumbers(db, dir, tasks, perTask, (i, took) => {
  if ((i + 1) % Math.max(1, Math.floor(tasks / 10)) === 0) out(`  stored ${(i + 1) * perTask} numbers (last batch ${took.toFixed(0)} ms)`);
});
const storeMs = performance.now() - t0;
const rows = (db.$client.prepare('SELECT COUNT(*) AS n FROM task_results').get() as { n: number }).n;
out(`stored ${rows} rows through POST /task's service in ${(storeMs / 1000).toFixed(1)} s (${Math.round(rows / (storeMs / 1000))} numbers/s)`);

show('selection, first task, fresh (claim each pick)', timeSelection(db, ids[0]!, 2000));
const mid = ids[Math.floor(ids.length / 2)]!;
closeFirstRows(db, mid, Math.max(0, perTask - 1000));
show(`selection, middle task, first ${Math.max(0, perTask - 1000)} rows already dialed`, timeSelection(db, mid, 500));
show('selection, last task, every client busy (rows skipped)', timeSelection(db, ids[ids.length - 1]!, 500, true));
// One scheduler pass over every open task: one selection per task.
const pass: number[] = [];
for (let r = 0; r < 20; r++) {
  t0 = performance.now();
  for (const id of ids) timeSelection(db, id, 1);
  pass.push(performance.now() - t0);
}
pass.sort((a, b) => a - b);
out(`${'a scheduler pass: select + claim once in each of the tasks'.padEnd(58)} n=20  p50 ${ms(pass[10]!)}  p99 ${ms(pass[19]!)}`);
// Leave the database as a campaign would be: bench claims undone.
db.$client.prepare(`UPDATE task_results SET state = 'CreateTask', callFile = NULL, originatedAt = NULL WHERE callFile LIKE 'bench-%'`).run();
db.$client.pragma('wal_checkpoint(TRUNCATE)');
db.$client.close();

// --- RSS of the running service on this database ---------------------------------------------
const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
};
const entry = values.tsx ? ['--import', 'tsx', join(ROOT, 'stasis/main.ts')] : undefined;
// The simulator runs in this process (ARI_URL), so the service's RSS is the service alone.
const sim = await startSimulator({ port: 0, timeScale: 0.05, username: 'scale', password: 'scale' });
const svc = await startService(
  { ariUrl: sim.url, ariUsername: 'scale', ariPassword: 'scale', dataDir: dir, timeScale: 0.05, httpPort: await freePort(), entry, env: { DIALER_LOG_LEVEL: 'warn', ...(values['node-options'] ? { NODE_OPTIONS: values['node-options'] } : {}) } },
  120_000,
);
const pid = svc.child.pid!;
const afterStart = rssMb(pid);
// Phase 1: dialing only. Phase 2: dialing while a CRM reads (task list, a whole task, 10 000 results).
const phase = async (seconds: number, reads: boolean) => {
  const samples: number[] = [];
  const end = Date.now() + seconds * 1000;
  let n = 0;
  while (Date.now() < end) {
    if (reads) {
      await api(svc.url, 'GET', '/task?limit=100');
      await api(svc.url, 'GET', `/task/${ids[(n * 7) % ids.length]}`);
      await api(svc.url, 'GET', '/results/0');
      n += 3;
    }
    samples.push(rssMb(pid));
    await sleep(250);
  }
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length / 2)]!, max: samples[samples.length - 1]!, reads: n };
};
const seconds = Number(values['rss-seconds']);
const dialing = await phase(seconds, false);
const withReads = await phase(seconds, true);
const health = (await fetch(`${svc.url}/health`).then((r) => r.json())) as { dialer: { callsInFlight: number } };
svc.child.kill('SIGTERM');
await svc.exited;
await sim.stop();
const check = openDb(dbFileIn(dir));
const dialed = (check.$client.prepare(`SELECT COUNT(*) AS n FROM task_results WHERE callFile IS NOT NULL`).get() as { n: number }).n;
check.$client.close();
out(`service RSS (running process: ${values.tsx ? 'node --import tsx stasis/main.ts' : 'node dist/main.mjs = npm start'}; simulator in another process; ${rows} rows):`);
out(`  after start ${afterStart.toFixed(1)} MB${values['node-options'] ? ` (NODE_OPTIONS ${values['node-options']})` : ''}`);
out(`  dialing, ${seconds} s: p50 ${dialing.p50.toFixed(1)} MB, max ${dialing.max.toFixed(1)} MB`);
out(`  dialing + ${withReads.reads} API reads (GET /task, GET /task/{id} of ${perTask} rows, GET /results/0), ${seconds} s: p50 ${withReads.p50.toFixed(1)} MB, max ${withReads.max.toFixed(1)} MB   (target < 200 MB)`);
out(`  calls originated: ${dialed}; calls in flight at the end: ${health.dialer.callsInFlight}`);
if (!values.keep) rmSync(dir, { recursive: true, force: true });
process.exit(0);
