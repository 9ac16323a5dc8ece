import type { Queries } from '../db/port.js';
import { RowState } from '../domain/result-codes.js';
import { chunksUp, lastRowId, SETTLE_LAG_SEC, settledRowId, yieldToLoop, CHUNK_ROWS } from './row-chunks.js';
import { KeyedQueue, PerDbLru } from './task-cache.js';

/** A task's attempt rows counted: what task.progress and the cockpit's campaign summaries show. */
export interface TaskCounts {
  /** Every attempt row of the task. */
  rows: number;
  /** Open rows not dialed yet (state CreateTask), scheduled retries included. */
  waiting: number;
  /** Rows with a call up now on any node (a survey handed to an agent may already have its result). */
  inCall: number;
  /** Closed rows with a result. */
  done: number;
  /** Of those, the ones whose customer answered (outDialState ANSWER). */
  answered: number;
  /** Closed rows by result. */
  results: Record<string, number>;
}

/**
 * Counting a million rows at every call start and end took 1.25 s of a synchronous SQLite statement. But a closed
 * row (closeTime <> 0) never changes again, so closed rows are folded into a cached tally once, and later counts
 * only read what closed since (index task_results_pick: taskId, closeTime). What is cached per task:
 * - closed rows whose closeTime is before `closedBefore`, by result. Rows closed later are counted afresh on every
 *   read: SETTLE_LAG_SEC covers a close committed a little after the time it stamped, on another node;
 * - the number of rows with id up to `rowsUpTo` (rows are only added with new ids; settledRowId).
 * Open rows are few to count in an index (in call: the partial index task_results_inflight; not dialed yet
 * = all rows - closed - open in call, so the 700 000 waiting rows of a big task are never counted one by one).
 * Rows are deleted only by a re-POST of the task (numbers no longer listed) and with the task itself; both move
 * or remove the task's row, so a changed tasks.changeTime has the rows up to `rowsUpTo` recounted (index-only,
 * chunked) and the tally rebuilt when some are gone. The first fold of a big task goes CHUNK_ROWS rows a
 * statement with the event loop handed back between them; counts of one task run one at a time.
 */
interface Tally {
  /** tasks.changeTime when last seen. */
  changeTime: number;
  rowsUpTo: number;
  rows: number;
  closedBefore: number;
  /** Closed rows before closedBefore (a closed row without a result, should there be one, under ''). */
  closed: number;
  byResult: Map<string, { n: number; answered: number }>;
}

/** Tasks whose tallies are kept (a few hundred bytes each). */
export const MAX_CACHED_TASKS = 1000;
const tallies = new PerDbLru<number, Tally>(MAX_CACHED_TASKS);
const queue = new KeyedQueue<number>();

const TASK_CHANGED = 'SELECT changeTime FROM tasks WHERE id = ?';
const NEWEST_CLOSE = 'SELECT MAX(closeTime) FROM task_results WHERE taskId = ?';
const ANSWERED = `SUM(CASE WHEN outDialState = 'ANSWER' THEN 1 ELSE 0 END)`;
/** One id range of the first fold: phase 0 open, 1 closed before the horizon (folded), 2 closed since. */
const FOLD_RANGE = `SELECT result, CASE WHEN closeTime = 0 THEN 0 WHEN closeTime < ? THEN 1 ELSE 2 END AS phase, COUNT(*) AS n,
    ${ANSWERED} AS answered FROM task_results WHERE taskId = ? AND id > ? AND id <= ? GROUP BY 1, 2`;
const COUNT_RANGE = 'SELECT COUNT(*) FROM task_results WHERE taskId = ? AND id > ? AND id <= ?';
const CLOSED_BEFORE = 'SELECT COUNT(*) FROM task_results WHERE taskId = ? AND closeTime > 0 AND closeTime < ?';
/** Where a window of closes is cut so one statement folds at most CHUNK_ROWS of them. */
const NTH_CLOSE = `SELECT closeTime FROM task_results WHERE taskId = ? AND closeTime >= ? AND closeTime < ? ORDER BY closeTime LIMIT 1 OFFSET ${CHUNK_ROWS}`;
const NEXT_CLOSE = 'SELECT MIN(closeTime) FROM task_results WHERE taskId = ? AND closeTime > ?';
const FOLD_WINDOW = `SELECT result, COUNT(*) AS n, ${ANSWERED} AS answered
    FROM task_results WHERE taskId = ? AND closeTime >= ? AND closeTime < ? GROUP BY result`;
// What is not cached, in one statement so its parts agree with each other (one snapshot on both databases):
// 1 closed since the horizon, 2 rows added after rowsUpTo, 3 in call, 4 open rows being dialed.
const CREATE = RowState.CREATE_TASK;
const FRESH = `SELECT 1 AS part, result, COUNT(*) AS n, ${ANSWERED} AS answered
    FROM task_results WHERE taskId = ? AND closeTime >= ? GROUP BY result
  UNION ALL SELECT 2, '', COUNT(*), 0 FROM task_results WHERE taskId = ? AND id > ?
  UNION ALL SELECT 3, '', COALESCE(SUM(inCall), 0), 0 FROM task_results WHERE taskId = ? AND inCall = 1
  UNION ALL SELECT 4, '', COUNT(*), 0 FROM task_results WHERE taskId = ? AND closeTime = 0 AND state < '${CREATE}'
  UNION ALL SELECT 4, '', COUNT(*), 0 FROM task_results WHERE taskId = ? AND closeTime = 0 AND state > '${CREATE}'`;

interface Group {
  result: string;
  n: number;
  answered: number | null;
}

/**
 * The task's counts, exact as of this read. `now` is unix seconds (the service clock); `changeTime` the task's,
 * when the caller just read its row. A task that does not exist has no rows.
 */
export function taskCounts(db: Queries, taskId: number, opts: { now?: number; changeTime?: number } = {}): Promise<TaskCounts> {
  return queue.run(db, taskId, () => count(db, taskId, opts.now ?? Date.now() / 1000, opts.changeTime));
}

async function count(db: Queries, taskId: number, now: number, knownChange?: number): Promise<TaskCounts> {
  const changed = knownChange ?? (await db.value<number>(TASK_CHANGED, [taskId]));
  if (changed == null) {
    tallies.delete(db, taskId);
    return { rows: 0, waiting: 0, inCall: 0, done: 0, answered: 0, results: {} };
  }
  const changeTime = Number(changed);
  let t = tallies.get(db, taskId);
  if (t && t.changeTime !== changeTime) t = (await rowsStillThere(db, taskId, t)) && (await closedStillThere(db, taskId, t)) ? { ...t, changeTime } : undefined;
  if (t) await advance(db, taskId, t, now);
  else t = await build(db, taskId, changeTime, now);
  tallies.set(db, taskId, t);
  return withFresh(db, taskId, t);
}

/**
 * Closed rows before this are settled: SETTLE_LAG_SEC before now, or before the newest close if the rows' clock
 * runs behind ours (a row closed from now on is stamped at least about that late). Above 0, so it never takes in
 * open rows (closeTime 0).
 */
async function closeHorizon(db: Queries, taskId: number, now: number): Promise<number> {
  const newest = Number((await db.value<number>(NEWEST_CLOSE, [taskId])) ?? 0);
  return Math.max(1e-6, (newest > 0 ? Math.min(now, newest) : now) - SETTLE_LAG_SEC);
}

function add(t: Tally, g: Group): void {
  const n = Number(g.n);
  const was = t.byResult.get(g.result) ?? { n: 0, answered: 0 };
  t.byResult.set(g.result, { n: was.n + n, answered: was.answered + Number(g.answered ?? 0) });
  t.closed += n;
}

/** The first fold: every row up to rowsUpTo counted, closed rows before the horizon tallied, a chunk at a time. */
async function build(db: Queries, taskId: number, changeTime: number, now: number): Promise<Tally> {
  const t: Tally = { changeTime, rowsUpTo: 0, rows: 0, closedBefore: await closeHorizon(db, taskId, now), closed: 0, byResult: new Map() };
  t.rowsUpTo = await settledRowId(db, 'task_results', taskId, 0, now);
  // PostgreSQL: rows above rowsUpTo are counted afresh, but those already closed before the horizon are tallied here
  const last = Math.max(t.rowsUpTo, await lastRowId(db, 'task_results', taskId));
  const fold = async (lo: number, hi: number, countRows: boolean) => {
    for (const g of await db.all<Group & { phase: number }>(FOLD_RANGE, [t.closedBefore, taskId, lo, hi])) {
      if (countRows) t.rows += Number(g.n);
      if (Number(g.phase) === 1) add(t, g);
    }
  };
  for await (const [lo, hi] of chunksUp(db, 'task_results', taskId, 0, t.rowsUpTo)) await fold(lo, hi, true);
  for await (const [lo, hi] of chunksUp(db, 'task_results', taskId, t.rowsUpTo, last)) await fold(lo, hi, false);
  return t;
}

/** Later reads: closes that settled since folded in (CHUNK_ROWS a statement), rows added since counted. */
async function advance(db: Queries, taskId: number, t: Tally, now: number): Promise<void> {
  const horizon = await closeHorizon(db, taskId, now);
  while (horizon > t.closedBefore) {
    const cut = await db.value<number>(NTH_CLOSE, [taskId, t.closedBefore, horizon]);
    let upTo = cut == null ? horizon : Number(cut);
    // more than CHUNK_ROWS rows closed at one same instant: that instant's rows in one statement
    if (upTo <= t.closedBefore) upTo = Math.min(horizon, Number((await db.value<number>(NEXT_CLOSE, [taskId, upTo])) ?? horizon));
    for (const g of await db.all<Group>(FOLD_WINDOW, [taskId, t.closedBefore, upTo])) add(t, g);
    t.closedBefore = upTo;
    if (upTo < horizon) await yieldToLoop();
  }
  const rowsUpTo = await settledRowId(db, 'task_results', taskId, t.rowsUpTo, now);
  for await (const [lo, hi] of chunksUp(db, 'task_results', taskId, t.rowsUpTo, rowsUpTo)) t.rows += Number(await db.value(COUNT_RANGE, [taskId, lo, hi]));
  t.rowsUpTo = rowsUpTo;
}

/**
 * After the task changed: the closed rows the tally holds are all still there. Closes are folded by time, whatever
 * their id, so a deleted closed row above rowsUpTo (PostgreSQL: rowsUpTo lags the newest ids) is seen here, not by
 * rowsStillThere. One index range count (taskId, closeTime), only when the task changed.
 */
async function closedStillThere(db: Queries, taskId: number, t: Tally): Promise<boolean> {
  return Number(await db.value(CLOSED_BEFORE, [taskId, t.closedBefore])) === t.closed;
}

/** After the task changed: the rows up to rowsUpTo are all still there (none deleted), counted from the index. */
async function rowsStillThere(db: Queries, taskId: number, t: Tally): Promise<boolean> {
  let n = 0;
  for await (const [lo, hi] of chunksUp(db, 'task_results', taskId, 0, t.rowsUpTo)) n += Number(await db.value(COUNT_RANGE, [taskId, lo, hi]));
  return n === t.rows;
}

async function withFresh(db: Queries, taskId: number, t: Tally): Promise<TaskCounts> {
  const fresh = await db.all<Group & { part: number }>(FRESH, [taskId, t.closedBefore, taskId, t.rowsUpTo, taskId, taskId, taskId]);
  const byResult = new Map(t.byResult);
  let rows = t.rows;
  let closed = t.closed;
  let inCall = 0;
  let dialing = 0;
  for (const g of fresh) {
    const n = Number(g.n);
    const part = Number(g.part);
    if (part === 1) {
      const was = byResult.get(g.result) ?? { n: 0, answered: 0 };
      byResult.set(g.result, { n: was.n + n, answered: was.answered + Number(g.answered ?? 0) });
      closed += n;
    } else if (part === 2) rows += n;
    else if (part === 3) inCall += n;
    else dialing += n;
  }
  const out: TaskCounts = { rows, waiting: Math.max(0, rows - closed - dialing), inCall, done: 0, answered: 0, results: {} };
  for (const [result, c] of byResult) {
    if (result === '' || c.n === 0) continue;
    out.results[result] = c.n;
    out.done += c.n;
    out.answered += c.answered;
  }
  return out;
}
