import type { Queries } from '../../db/client.js';
import { DNC_CAUSE, RowState, isSuccess, ResultCode } from '../../domain/result-codes.js';
import { enqueueCallResults, enqueueTaskState, webhookTargets } from '../../webhooks/outbox.js';
import { planRetry, readRetryRules, retryOutcome, type RetryPlan } from '../../domain/retry-outcome.js';
import { getTask, openAttemptCount, type AttemptRow, type TaskRow } from './queries.js';

/**
 * Write side of the dialer's storage. Every UPDATE of an attempt is guarded by `closeTime = 0`: a closed row
 * is immutable, and late events of an old attempt change nothing. Writes of a call in flight also carry its
 * owner (the node and the node's epoch that claimed the row): once a peer took the row over, or the node
 * restarted, they change nothing (fencing). No ARI or other I/O may happen inside these transactions.
 */

/** Who claimed a row: a dialer node and its epoch at the time (the fencing token). */
export interface Owner {
  node: string;
  epoch: number;
}

/** Fields a call event may set on the row (the original's "state trail"). */
export interface TrailFields {
  state: string;
  outDialState?: string | null;
  inDialState?: string | null;
  hangupCause?: number | null;
  cause?: string | null;
  linkedId?: string | null;
  verboseCallId?: string | null;
}

const TRAIL_COLUMNS = ['state', 'outDialState', 'inDialState', 'hangupCause', 'cause', 'linkedId', 'verboseCallId'] as const;

function setClause(f: TrailFields): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const k of TRAIL_COLUMNS) {
    if (f[k] === undefined) continue;
    parts.push(`${k} = ?`);
    values.push(f[k]);
  }
  return { sql: parts.join(', '), values };
}

/** The fencing condition: only while the row is still this owner's (nothing when no owner is given). */
const owned = (o: Owner | undefined) => (o ? { sql: ' AND node = ? AND epoch = ?', values: [o.node, o.epoch] } : { sql: '', values: [] });

/**
 * Claim a ready row for a call: state CreateCallFile, the channel id in callFile and the owner, BEFORE
 * anything is sent. False when the row is no longer ready. originatedAt stays NULL until markOriginateSentUnlessDnc:
 * a claimed row without it provably never reached Asterisk, and a restart makes it ready again.
 */
export async function claimAttempt(db: Queries, rowId: number, channelId: string, nowSec: number, owner?: Owner): Promise<boolean> {
  const changed = await db.run(
    `UPDATE task_results SET state = ?, callFile = ?, originatedAt = NULL, changeTime = ?, node = ?, epoch = ?, inCall = 1
      WHERE id = ? AND closeTime = 0 AND state = ?`,
    [RowState.CREATE_CALL_FILE, channelId, nowSec, owner?.node ?? null, owner?.epoch ?? null, rowId, RowState.CREATE_TASK],
  );
  return changed === 1;
}

/** The row's number is on the do-not-call list, global (taskId 0) or its task's. */
const ON_DNC = 'EXISTS (SELECT 1 FROM dnc WHERE dnc.phoneId = task_results.phoneId AND dnc.taskId IN (0, task_results.taskId))';

/**
 * Written (and awaited) immediately before the originate request goes out, so a crash after it may have rung
 * the customer and the row is never dialed again as such; the do-not-call check is in the same statement.
 * 'sent' = marked, the originate may go out; 'dnc' = the number is on the list (global or the task's, however
 * recently added): the row was closed FAIL_DNC (state Dnc, cause "do-not-call list", never retried, a call.result
 * webhook queued) in one transaction and nothing may be sent; 'refused' = nothing written, nothing may be sent
 * (the row is gone or closed meanwhile, e.g. signal-close, taken over by a peer, or its task is no longer open:
 * paused / closed while the row waited for an originate slot), the caller releases the row.
 */
export async function markOriginateSentUnlessDnc(db: Queries, rowId: number, nowSec: number, owner?: Owner): Promise<'sent' | 'dnc' | 'refused'> {
  const f = owned(owner);
  const ready = `id = ? AND closeTime = 0 AND state = ? AND originatedAt IS NULL${f.sql}`;
  const marked = await db.run(
    `UPDATE task_results SET originatedAt = ? WHERE ${ready}
        AND (SELECT state FROM tasks WHERE tasks.id = task_results.taskId) = 0 AND NOT ${ON_DNC}`,
    [nowSec, rowId, RowState.CREATE_CALL_FILE, ...f.values],
  );
  if (marked === 1) return 'sent';
  return (await closeIfDnc(db, rowId, nowSec, owner)) ? 'dnc' : 'refused';
}

/**
 * A claimed row whose number is on the do-not-call list (global or its task's) is closed FAIL_DNC, its webhook
 * queued in the same transaction; true when that happened. Used before any leg of a call is rung (callback mode
 * rings the operator before the customer's originate is marked).
 */
export function closeIfDnc(db: Queries, rowId: number, nowSec: number, owner?: Owner): Promise<boolean> {
  const f = owned(owner);
  const ready = `id = ? AND closeTime = 0 AND state = ? AND originatedAt IS NULL${f.sql}`;
  return db.tx(async (q) => {
    const row = await q.get<AttemptRow>(
      `UPDATE task_results SET result = ?, state = ?, cause = ?, changeTime = ?, closeTime = ? WHERE ${ready} AND ${ON_DNC} RETURNING *`,
      [ResultCode.FAIL_DNC, RowState.DNC, DNC_CAUSE, nowSec, nowSec, rowId, RowState.CREATE_CALL_FILE, ...f.values],
    );
    if (!row) return false;
    await enqueueCallResults(q, await getTask(q, row.taskId), [row], nowSec);
    return true;
  });
}

/**
 * The originate provably never reached Asterisk: the row is ready again and this was not an attempt.
 * `neverSent`: only if no originate was even attempted (a peer taking a lost node's rows over).
 */
export async function releaseAttempt(db: Queries, rowId: number, nowSec: number, owner?: Owner, neverSent = false): Promise<boolean> {
  const f = owned(owner);
  const changed = await db.run(
    `UPDATE task_results SET state = ?, callFile = NULL, originatedAt = NULL, node = NULL, epoch = NULL, inCall = 0, changeTime = ?
      WHERE id = ? AND closeTime = 0 AND state = ?${neverSent ? ' AND originatedAt IS NULL' : ''}${f.sql}`,
    [RowState.CREATE_TASK, nowSec, rowId, RowState.CREATE_CALL_FILE, ...f.values],
  );
  return changed === 1;
}

/**
 * The call's channels are gone (or, for a lost node's call, out of anyone's reach): it stops counting against the
 * task's maxCountChannels on every node. The row's result, if any, was recorded before.
 */
export async function endCall(db: Queries, rowId: number, owner?: Owner): Promise<boolean> {
  const f = owned(owner);
  return (await db.run(`UPDATE task_results SET inCall = 0 WHERE id = ? AND inCall = 1${f.sql}`, [rowId, ...f.values])) === 1;
}

/** Record an intermediate event of a call that is still going on. */
export async function recordTrail(db: Queries, rowId: number, t: TrailFields, nowSec: number, owner?: Owner): Promise<boolean> {
  const s = setClause(t);
  const f = owned(owner);
  const changed = await db.run(`UPDATE task_results SET ${s.sql}, changeTime = ? WHERE id = ? AND closeTime = 0${f.sql}`, [
    ...s.values,
    nowSec,
    rowId,
    ...f.values,
  ]);
  return changed === 1;
}

export interface FinishOptions {
  nowSec: number;
  /** Unix seconds at which a retry may be dialed, given its delay: tryInterval or a retry rule's (the caller scales it). */
  retryAt: (delaySec: number) => number;
  /** A number that does not exist is not retried. */
  noRetry?: boolean;
  /** Close only while the row is still this owner's call. */
  owner?: Owner;
}

export interface FinishOutcome {
  closed: boolean;
  retryRowId?: number;
  siblingsClosed: number;
}

/**
 * Attempts of the plan's count so far, the closed one included: its attemptNumber (v1.35), or the number's closed
 * attempts in this task with the rule's outcome (a handful of rows, read through the phoneId index).
 */
async function attemptsCounted(q: Queries, row: AttemptRow, plan: Extract<RetryPlan, { retry: true }>): Promise<number> {
  if (plan.counts === 'all') return row.attemptNumber;
  const past = await q.all<{ result: string; outDialState: string | null; hangupCause: number | null }>(
    // `+taskId`: not an index column for the planner, which (without statistics) otherwise walks the whole task
    // through a taskId-led index instead of the number's few rows through phoneId
    'SELECT result, outDialState, hangupCause FROM task_results WHERE phoneId = ? AND +taskId = ? AND closeTime <> 0',
    [row.phoneId, row.taskId],
  );
  return past.filter((p) => retryOutcome(p) === plan.counts).length;
}

/**
 * Close an attempt with its result, and in the same transaction apply the v1.35 rules, refined by the task's retry
 * rules per outcome (domain/retry-outcome.ts):
 * - FAIL* (or anything when attemptUntilSignal = 1) while attempts remain → a new attempt row after the delay;
 * - otherwise a SUCCESS* with a clientId closes the client's other waiting rows with SUCCESS_ANOTHER_PHONE.
 */
export function finishAttempt(db: Queries, rowId: number, result: string, t: TrailFields, o: FinishOptions): Promise<FinishOutcome> {
  return db.tx(async (q): Promise<FinishOutcome> => {
    const s = setClause(t);
    const f = owned(o.owner);
    const row = await q.get<AttemptRow>(
      `UPDATE task_results SET ${s.sql}, result = ?, changeTime = ?, closeTime = ? WHERE id = ? AND closeTime = 0${f.sql} RETURNING *`,
      [...s.values, result, o.nowSec, o.nowSec, rowId, ...f.values],
    );
    if (!row) return { closed: false, siblingsClosed: 0 };
    const task = await getTask(q, row.taskId);
    // the webhook of this result commits with it (a crash loses neither)
    const hooks = await webhookTargets(q, task);
    await enqueueCallResults(q, task, [row], o.nowSec, hooks);
    if (!task) return { closed: true, siblingsClosed: 0 };

    const plan = planRetry({ result, outDialState: row.outDialState, hangupCause: row.hangupCause }, task, readRetryRules(task.retryRules));
    // a number the CRM removed from the task while this call was up is not called again
    if (plan.retry && !o.noRetry && !row.removed && (await attemptsCounted(q, row, plan)) < plan.max) {
      const retryRowId = await q.value<number>(
        `INSERT INTO task_results (taskId, phoneId, phone, clientId, params, timeOffsetMinutes, attemptNumber,
           timeCallAllow, state, result, changeTime, closeTime)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, 0) RETURNING id`,
        [
          row.taskId,
          row.phoneId,
          row.phone,
          row.clientId,
          row.params,
          row.timeOffsetMinutes,
          row.attemptNumber + 1,
          Math.round(o.retryAt(plan.delaySec)),
          RowState.CREATE_TASK,
          o.nowSec,
        ],
      );
      return { closed: true, retryRowId, siblingsClosed: 0 };
    }
    if (isSuccess(result) && row.clientId) {
      // `+closeTime`: the client's few rows through (taskId, clientId); SQLite otherwise chose the pick index and
      // walked every waiting row of the task (a million-row task: on every success with a client)
      const siblings = await q.all<AttemptRow>(
        `UPDATE task_results SET state = ?, result = ?, changeTime = ?, closeTime = ?
          WHERE taskId = ? AND clientId = ? AND +closeTime = 0 AND state = ? AND id <> ? RETURNING *`,
        [
          ResultCode.SUCCESS_ANOTHER_PHONE,
          ResultCode.SUCCESS_ANOTHER_PHONE,
          o.nowSec,
          o.nowSec,
          row.taskId,
          row.clientId,
          RowState.CREATE_TASK,
          rowId,
        ],
      );
      await enqueueCallResults(q, task, siblings, o.nowSec, hooks);
      return { closed: true, siblingsClosed: siblings.length };
    }
    return { closed: true, siblingsClosed: 0 };
  });
}

/** An open task (state 0) with no open rows closes itself (state 1). Paused and closed tasks are left alone. */
export function closeTaskIfDone(db: Queries, taskId: number, nowSec: number): Promise<boolean> {
  return db.tx(async (q) => {
    if ((await openAttemptCount(q, taskId)) > 0) return false;
    const task = await q.get<TaskRow>(`UPDATE tasks SET state = 1, changeTime = ? WHERE id = ? AND state = 0 RETURNING *`, [nowSec, taskId]);
    if (!task) return false;
    await enqueueTaskState(q, task, 0, 1, 'completed', nowSec);
    return true;
  });
}
