/**
 * Scale-out: `npx tsx scripts/bench/nodes-claim.ts [--numbers 10000000] [--tasks 100] [--seconds 20] [--nodes 1,2,4]`
 * (`npm run bench:nodes`). On one PostgreSQL (a private server started here, or --pg-url) holding --numbers stored
 * numbers, runs 1, 2 and 4 dialer nodes as separate processes, each doing what a node's scheduler does for a
 * call, with the project's own storage code: claim the next numbers of a task (claimForTask, one transaction with
 * the task's limit across nodes), mark the originate sent, record the result (finishAttempt) and the call's end
 * (endCall). Calls end at once, so the figures are what the shared database sustains, not what a PBX can carry. Prints originates per
 * second (all nodes together) and the claim latency p50 / p99, then the same for one node on SQLite.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openDb, type Db } from '../../src/db/client.js';
import { freshDatabase, startPostgres } from '../../test/helpers/postgres.js';

const { values } = parseArgs({
  options: {
    numbers: { type: 'string', default: '10000000' },
    tasks: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '20' },
    nodes: { type: 'string', default: '1,2,4' },
    /** Claim loops per node: a node's scheduler claims one task at a time, so 1 is what a node does. */
    loops: { type: 'string', default: '1' },
    'max-channels': { type: 'string', default: '30' },
    'pg-url': { type: 'string' },
    'skip-sqlite': { type: 'boolean', default: false },
    /**
     * Originates per second each node aims at, comma-separated runs (0 = as fast as it can: the database's
     * capacity; 25 = a busy PBX: 400 calls of 16 s each)
     */
    rate: { type: 'string', default: '0,25' },
    worker: { type: 'string' },
  },
});

interface WorkerResult {
  claims: number;
  originates: number;
  latenciesMs: number[];
}

if (values.worker) await worker(values.worker);
else await main();

async function main() {
  const numbers = Number(values.numbers);
  const taskCount = Number(values.tasks);
  const seconds = Number(values.seconds);
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const rates = values.rate.split(',').map(Number);
  const pace = (rate: number) => (rate > 0 ? `paced at ${rate}/s per node` : 'flat out');
  out(`=== nodes-claim: ${numbers.toLocaleString('en')} numbers in ${taskCount} survey tasks (maxCountChannels ${values['max-channels']}), ${seconds} s per run ===`);

  const pg = values['pg-url'] ? undefined : await startPostgres();
  const server = values['pg-url'] ?? pg!.url;
  try {
    const url = await freshDatabase(server, 'bench');
    const db = await openDb(url);
    await fill(db, numbers, taskCount, out);
    await db.close();
    for (const rate of rates) {
      for (const n of values.nodes.split(',').map(Number)) {
        out(report(`PostgreSQL, ${n} node${n > 1 ? 's' : ''}, ${pace(rate)}`, await run(url, n, seconds, rate), seconds));
      }
    }
  } finally {
    await pg?.stop();
  }
  if (!values['skip-sqlite']) {
    const dir = mkdtempSync(join(tmpdir(), 'autodialer-bench-'));
    try {
      const file = join(dir, 'bench.sqlite');
      const db = await openDb(file);
      await fill(db, numbers, taskCount, out);
      await db.close();
      for (const rate of rates) out(report(`SQLite, 1 node, ${pace(rate)}`, await run(file, 1, seconds, rate), seconds));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** Tasks and numbers written by the database itself (generate_series / a recursive CTE): minutes, not hours. */
async function fill(db: Db, numbers: number, taskCount: number, out: (s: string) => void) {
  const t0 = performance.now();
  const per = Math.ceil(numbers / taskCount);
  const ids: number[] = [];
  for (let t = 0; t < taskCount; t++) {
    ids.push((await db.value<number>(
      `INSERT INTO tasks (name, innerNum, innerNumType, maxCountChannels, state, changeTime) VALUES (?, '1', 'polling', ?, 0, 0) RETURNING id`,
      [`bench ${t}`, Number(values['max-channels'])],
    ))!);
  }
  const series =
    db.dialect === 'postgres'
      ? (n: number) => `SELECT g AS n FROM generate_series(1, ${n}) AS g`
      : (n: number) => `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${n}) SELECT n FROM s`;
  const chunk = 1_000_000;
  for (let done = 0; done < numbers; done += chunk) {
    const n = Math.min(chunk, numbers - done);
    // numbers spread over the tasks round-robin; 79 + 9 digits, unique
    await db.run(
      `INSERT INTO task_results (taskId, phoneId, phone, changeTime, state)
       SELECT ${ids[0]} + ((n + ${done}) % ${taskCount}), '9' || CAST(100000000 + n + ${done} AS TEXT), '79' || CAST(100000000 + n + ${done} AS TEXT), 0, 'CreateTask'
         FROM (${series(n)}) AS seq`,
    );
    out(`  stored ${(done + n).toLocaleString('en')} numbers (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  if (db.dialect === 'postgres') await db.run('ANALYZE');
  void per;
}

async function run(url: string, nodes: number, seconds: number, rate: number): Promise<WorkerResult> {
  const self = fileURLToPath(import.meta.url);
  const results = await Promise.all(
    Array.from({ length: nodes }, (_, i) =>
      new Promise<WorkerResult>((resolve, reject) => {
        const child = fork(self, ['--worker', JSON.stringify({ url, node: `bench-${nodes}-${i}-${rate}`, seconds, loops: Number(values.loops), rate })], {
          execArgv: ['--import', 'tsx'],
          stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        });
        child.once('message', (m) => resolve(m as WorkerResult));
        child.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
      }),
    ),
  );
  return {
    claims: results.reduce((s, r) => s + r.claims, 0),
    originates: results.reduce((s, r) => s + r.originates, 0),
    latenciesMs: results.flatMap((r) => r.latenciesMs),
  };
}

function report(what: string, r: WorkerResult, seconds: number): string {
  const l = r.latenciesMs.sort((a, b) => a - b);
  const q = (p: number) => l[Math.min(l.length - 1, Math.floor(p * l.length))] ?? NaN;
  return `${what.padEnd(42)} originates/s ${(r.originates / seconds).toFixed(0).padStart(6)}   claim p50 ${q(0.5).toFixed(2)} ms  p99 ${q(0.99).toFixed(2)} ms  (${r.claims} claims)`;
}

/** One node: `loops` concurrent schedulers over the shared tasks, for `seconds`. */
async function worker(arg: string) {
  const { url, node, seconds, loops, rate } = JSON.parse(arg) as { url: string; node: string; seconds: number; loops: number; rate: number };
  const { claimForTask, endCall, finishAttempt, markOriginateSentUnlessDnc } = await import('../../src/services/attempts/index.js');
  const { registerNode } = await import('../../src/services/nodes/index.js');
  const db = await openDb({ url, poolSize: loops + 1 });
  const { owner } = await registerNode(db, node, node, Date.now() / 1000, 3600);
  const tasks = await db.values<number>('SELECT id FROM tasks WHERE state = 0 ORDER BY id');
  const res: WorkerResult = { claims: 0, originates: 0, latenciesMs: [] };
  const begin = performance.now();
  const end = begin + seconds * 1000;
  let next = Math.floor(Math.random() * tasks.length);
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (performance.now() < end) {
        // paced: wait until this node's originates so far are due at `rate` per second
        if (rate > 0) {
          const due = begin + (res.originates / rate) * 1000;
          if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
        }
        const taskId = tasks[next++ % tasks.length]!;
        const now = Date.now() / 1000;
        const t0 = performance.now();
        const c = await claimForTask(db, {
          taskId,
          owner,
          nowSec: Math.floor(now),
          now,
          leaseNow: now,
          want: 5,
          shared: true,
          inFlightHere: 0,
          usable: () => 'yes',
          channelTag: node.replace(/[^a-z0-9]/g, ''),
        });
        res.latenciesMs.push(performance.now() - t0);
        res.claims++;
        for (const row of c.rows) {
          if ((await markOriginateSentUnlessDnc(db, row.id, now, owner)) !== 'sent') continue;
          res.originates++;
          await finishAttempt(db, row.id, 'SUCCESS_POLLING', { state: 'EventPollingEnd' }, { nowSec: now, retryAt: () => now, owner });
          await endCall(db, row.id, owner);
        }
      }
    }),
  );
  await db.close();
  process.send!(res, () => process.exit(0));
}
