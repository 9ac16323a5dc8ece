/**
 * Pieces of the scale benchmark, shared with its CI smoke test: store numbers through the API's own task
 * service (schema validation + upsertTask, in batches of tasks) and time the dialer's next-number selection
 * (claimForTask for one call, exactly what the scheduler runs per call start: select and claim in one transaction).
 */
import { hostname } from 'node:os';
import pino from 'pino';
import { validate } from '../../src/api/body.js';
import { TaskPostBody } from '../../src/api/routes/tasks.schema.js';
import { testConfig } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import { claimForTask } from '../../src/services/attempts/claim.js';
import type { Owner } from '../../src/services/attempts/record.js';
import { registerNode, renewLease } from '../../src/services/nodes/index.js';
import { upsertTask } from '../../src/services/tasks/upsert.js';

export async function storeNumbers(db: Db, dataDir: string, tasks: number, perTask: number, onTask?: (i: number, ms: number) => void): Promise<number[]> {
  const ctx = { db, config: testConfig({ DIALER_DATA_DIR: dataDir, DIALER_TIMEZONE: 'UTC' }), log: pino({ level: 'silent' }), now: () => Date.now() / 1000 };
  const ids: number[] = [];
  // polling tasks (no agent to wait for) must name a saved polling, or POST /task refuses them
  await db.run("INSERT INTO pollings (crmId, name) VALUES ('1', 'scale') ON CONFLICT (crmId) DO NOTHING");
  const pollingId = String(await db.value<number>("SELECT id FROM pollings WHERE crmId = '1'"));
  for (let t = 0; t < tasks; t++) {
    const numbers = Array.from({ length: perTask }, (_, i) => {
      const n = `7${String(t).padStart(4, '0')}${String(i).padStart(6, '0')}`;
      // every 20th number belongs to a two-number client, as CRMs send them
      return i % 20 < 2 ? { number: n, clientId: `c${t}-${Math.floor(i / 20)}`, params: { NAME: 'Иван', SUM: i } } : n;
    });
    const t0 = performance.now();
    const body = validate(TaskPostBody, { name: `scale ${t}`, crmId: `scale-${t}`, innerNum: pollingId, innerNumType: 'polling', maxCountChannels: 1, numbers });
    if (!body.ok) throw new Error(body.messages.join('; '));
    const out = await upsertTask(ctx, body.value);
    if (!out.ok) throw new Error(out.messages.join('; '));
    ids.push(out.data.id);
    onTask?.(t, performance.now() - t0);
  }
  return ids;
}

export interface SelectionTimes {
  samples: number;
  p50: number;
  p99: number;
  max: number;
  picked: number[];
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;

/** The benchmark claims as a dialer node of its own ("bench"), with a lease that outlasts a selection run. */
const BENCH_LEASE_SEC = 600;
const owners = new WeakMap<Db, Owner>();
async function benchOwner(db: Db): Promise<Owner> {
  const known = owners.get(db);
  if (known && (await renewLease(db, known, Date.now() / 1000, BENCH_LEASE_SEC))) return known;
  const { owner } = await registerNode(db, 'bench', hostname(), Date.now() / 1000, BENCH_LEASE_SEC);
  owners.set(db, owner);
  return owner;
}

/**
 * Select the next number `n` times in one task, claiming each pick (as the scheduler does), timing the
 * selection with its claim. `busyClients` makes every client look busy, so selection has to skip their rows.
 * The picks stay claimed (as calls in flight) when it returns; the task's maxCountChannels is lifted meanwhile so
 * they do not stop the next selection, and put back afterwards.
 */
export async function timeSelection(db: Db, taskId: number, n: number, busyClients = false): Promise<SelectionTimes> {
  const times: number[] = [];
  const picked: number[] = [];
  const owner = await benchOwner(db);
  const nowSec = Math.floor(Date.now() / 1000) + 1;
  const limit = await db.value<number>('SELECT maxCountChannels FROM tasks WHERE id = ?', [taskId]);
  await db.run('UPDATE tasks SET maxCountChannels = ? WHERE id = ?', [2_000_000_000, taskId]);
  try {
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const r = await claimForTask(db, {
        taskId,
        owner,
        nowSec,
        now: Date.now() / 1000,
        leaseNow: Date.now() / 1000,
        want: 1,
        shared: false,
        inFlightHere: 0,
        usable: (row) => (busyClients && row.clientId ? 'busy' : 'yes'),
        channelTag: 'bench',
      });
      times.push(performance.now() - t0);
      if (!r.leaseLive) throw new Error('the benchmark node lease ran out');
      const row = r.rows[0];
      if (!row) break;
      picked.push(row.id);
      // Set aside until the run ends (closed), so it makes its client no busier than before: what is timed is the
      // selection. Bench claims are told by their channel id (scale-million.ts undoes them by it).
      await db.run('UPDATE task_results SET callFile = ?, closeTime = 1, inCall = 0 WHERE id = ?', [`bench-${taskId}-${i}`, row.id]);
    }
  } finally {
    await db.run('UPDATE task_results SET closeTime = 0, inCall = 1 WHERE taskId = ? AND callFile LIKE ?', [taskId, `bench-${taskId}-%`]);
    await db.run('UPDATE tasks SET maxCountChannels = ? WHERE id = ?', [limit ?? 1, taskId]);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { samples: times.length, p50: pct(sorted, 50), p99: pct(sorted, 99), max: sorted[sorted.length - 1] ?? 0, picked };
}

/** Close the first `k` rows of a task (as if dialed), so selection starts deep into the task. */
export async function closeFirstRows(db: Db, taskId: number, k: number): Promise<void> {
  await db.run(
    `UPDATE task_results SET closeTime = 1, result = 'FAIL', state = 'endCall' WHERE id IN (SELECT id FROM task_results WHERE taskId = ? ORDER BY id LIMIT ?)`,
    [taskId, k],
  );
}
