/**
 * Pieces of the scale benchmark, shared with its CI smoke test: store numbers through the API's own task
 * service (schema validation + upsertTask, in batches of tasks) and time the dialer's next-number selection
 * (readyAttempts + pickCandidate, exactly what the scheduler runs per call start).
 */
import pino from 'pino';
import { validate } from '../../src/api/body.js';
import { TaskPostBody } from '../../src/api/routes/tasks.schema.js';
import { testConfig } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import { claimAttempt } from '../../src/services/attempts/record.js';
import { readyAttempts } from '../../src/services/attempts/queries.js';
import { upsertTask } from '../../src/services/tasks/upsert.js';
import { pickCandidate } from '../../stasis/dialer/pacing.js';

export function storeNumbers(db: Db, dataDir: string, tasks: number, perTask: number, onTask?: (i: number, ms: number) => void): number[] {
  const ctx = { db, config: testConfig({ DIALER_DATA_DIR: dataDir, DIALER_TIMEZONE: 'UTC' }), log: pino({ level: 'silent' }), now: () => Date.now() / 1000 };
  const ids: number[] = [];
  // polling tasks (no agent to wait for) must name a saved polling, or POST /task refuses them
  db.$client.prepare("INSERT OR IGNORE INTO pollings (id, crmId, name) VALUES (1, '1', 'scale')").run();
  for (let t = 0; t < tasks; t++) {
    const numbers = Array.from({ length: perTask }, (_, i) => {
      const n = `7${String(t).padStart(4, '0')}${String(i).padStart(6, '0')}`;
      // every 20th number belongs to a two-number client, as CRMs send them
      return i % 20 < 2 ? { number: n, clientId: `c${t}-${Math.floor(i / 20)}`, params: { NAME: 'Иван', SUM: i } } : n;
    });
    const t0 = performance.now();
    const body = validate(TaskPostBody, { name: `scale ${t}`, crmId: `scale-${t}`, innerNum: '1', innerNumType: 'polling', maxCountChannels: 1, numbers });
    if (!body.ok) throw new Error(body.messages.join('; '));
    const out = upsertTask(ctx, body.value);
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

/**
 * Select the next number `n` times in one task, claiming each pick (as the scheduler does), timing only the
 * selection. `busyClients` makes the first clients look busy, so selection has to skip their rows.
 */
export function timeSelection(db: Db, taskId: number, n: number, busyClients = false): SelectionTimes {
  const times: number[] = [];
  const picked: number[] = [];
  const nowSec = Date.now() / 1000 + 1;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const rows = readyAttempts(db, taskId, nowSec);
    let pick;
    try {
      pick = pickCandidate(rows, () => busyClients, () => true);
    } finally {
      rows.return(undefined);
    }
    times.push(performance.now() - t0);
    if (!pick.row) break;
    picked.push(pick.row.id);
    claimAttempt(db, pick.row.id, `bench-${taskId}-${i}`, nowSec);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { samples: times.length, p50: pct(sorted, 50), p99: pct(sorted, 99), max: sorted[sorted.length - 1] ?? 0, picked };
}

/** Close the first `k` rows of a task (as if dialed), so selection starts deep into the task. */
export function closeFirstRows(db: Db, taskId: number, k: number): void {
  db.$client
    .prepare(`UPDATE task_results SET closeTime = 1, result = 'FAIL', state = 'endCall' WHERE id IN (SELECT id FROM task_results WHERE taskId = ? ORDER BY id LIMIT ?)`)
    .run(taskId, k);
}
