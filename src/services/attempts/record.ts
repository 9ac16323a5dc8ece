import type { Statement } from 'better-sqlite3';
import type { Db } from '../../db/client.js';
import { RowState, isFailure, isSuccess, ResultCode } from '../../domain/result-codes.js';
import { getAttempt, getTask, openAttemptCount, type AttemptRow } from './queries.js';
import { stmt as shared } from '../context.js';

/**
 * Write side of the dialer's storage. Every UPDATE of an attempt is guarded by `closeTime = 0`: a closed row
 * is immutable, and late events of an old attempt change nothing. All functions are synchronous
 * (better-sqlite3 transactions); no ARI or other I/O may happen inside them.
 */

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

/** Prepared once per connection and SQL text, in the services' shared statement cache. */
const stmt = (db: Db, sql: string): Statement<unknown[]> => shared(db, `attempts:${sql}`, () => db.$client.prepare(sql));

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

/**
 * Claim a ready row for a call: state CreateCallFile and the channel id in callFile, BEFORE anything is
 * sent. False when the row is no longer ready. originatedAt stays NULL until markOriginateSent: a claimed
 * row without it provably never reached Asterisk, and a restart makes it ready again.
 */
export function claimAttempt(db: Db, rowId: number, channelId: string, nowSec: number): boolean {
  const r = stmt(db, 
      `UPDATE task_results SET state = ?, callFile = ?, originatedAt = NULL, changeTime = ?
        WHERE id = ? AND closeTime = 0 AND state = ?`,
    )
    .run(RowState.CREATE_CALL_FILE, channelId, nowSec, rowId, RowState.CREATE_TASK);
  return r.changes === 1;
}

/**
 * Written immediately before the originate request goes out (synchronously, so a crash after this line
 * may have rung the customer and the row is never dialed again as such). False when the row is gone or
 * closed meanwhile (e.g. signal-close), or its task is no longer open (paused / closed while the row
 * waited for an originate slot): then nothing may be sent.
 */
export function markOriginateSent(db: Db, rowId: number, nowSec: number): boolean {
  const r = stmt(db,
      `UPDATE task_results SET originatedAt = ? WHERE id = ? AND closeTime = 0 AND state = ? AND originatedAt IS NULL
          AND (SELECT state FROM tasks WHERE tasks.id = task_results.taskId) = 0`,
    )
    .run(nowSec, rowId, RowState.CREATE_CALL_FILE);
  return r.changes === 1;
}

/** The originate provably never reached Asterisk: the row is ready again and this was not an attempt. */
export function releaseAttempt(db: Db, rowId: number, nowSec: number): boolean {
  const r = stmt(db, 
      `UPDATE task_results SET state = ?, callFile = NULL, originatedAt = NULL, changeTime = ?
        WHERE id = ? AND closeTime = 0 AND state = ?`,
    )
    .run(RowState.CREATE_TASK, nowSec, rowId, RowState.CREATE_CALL_FILE);
  return r.changes === 1;
}

/** Record an intermediate event of a call that is still going on. */
export function recordTrail(db: Db, rowId: number, f: TrailFields, nowSec: number): boolean {
  const s = setClause(f);
  const r = stmt(db, `UPDATE task_results SET ${s.sql}, changeTime = ? WHERE id = ? AND closeTime = 0`)
    .run(...s.values, nowSec, rowId);
  return r.changes === 1;
}

export interface FinishOptions {
  nowSec: number;
  /** Unix seconds at which a retry may be dialed, given the task's tryInterval (the caller scales it). */
  retryAt: (tryIntervalSec: number) => number;
  /** A number that does not exist is not retried. */
  noRetry?: boolean;
}

export interface FinishOutcome {
  closed: boolean;
  retryRowId?: number;
  siblingsClosed: number;
}

/**
 * Close an attempt with its result, and in the same transaction apply the v1.35 rules:
 * - FAIL* (or anything when attemptUntilSignal = 1) while attemptNumber < maxAttempt → a new attempt row;
 * - otherwise a SUCCESS* with a clientId closes the client's other waiting rows with SUCCESS_ANOTHER_PHONE.
 */
export function finishAttempt(db: Db, rowId: number, result: string, f: TrailFields, o: FinishOptions): FinishOutcome {
  return db.$client.transaction((): FinishOutcome => {
    const s = setClause(f);
    const r = stmt(db, `UPDATE task_results SET ${s.sql}, result = ?, changeTime = ?, closeTime = ? WHERE id = ? AND closeTime = 0`)
      .run(...s.values, result, o.nowSec, o.nowSec, rowId);
    if (r.changes !== 1) return { closed: false, siblingsClosed: 0 };
    const row = getAttempt(db, rowId) as AttemptRow;
    const task = getTask(db, row.taskId);
    if (!task) return { closed: true, siblingsClosed: 0 };

    const wantsRetry = isFailure(result) || (task.attemptUntilSignal === 1 && result !== ResultCode.SUCCESS_EXTERNAL_SIGNAL);
    // a number the CRM removed from the task while this call was up is not called again
    if (wantsRetry && !o.noRetry && !row.removed && row.attemptNumber < task.maxAttempt) {
      const ins = stmt(db, 
          `INSERT INTO task_results (taskId, phoneId, phone, clientId, params, timeOffsetMinutes, attemptNumber,
             timeCallAllow, state, result, changeTime, closeTime)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, 0)`,
        )
        .run(
          row.taskId,
          row.phoneId,
          row.phone,
          row.clientId,
          row.params,
          row.timeOffsetMinutes,
          row.attemptNumber + 1,
          o.retryAt(task.tryInterval),
          RowState.CREATE_TASK,
          o.nowSec,
        );
      return { closed: true, retryRowId: Number(ins.lastInsertRowid), siblingsClosed: 0 };
    }
    if (isSuccess(result) && row.clientId) {
      const sib = stmt(db, 
          `UPDATE task_results SET state = ?, result = ?, changeTime = ?, closeTime = ?
            WHERE taskId = ? AND clientId = ? AND closeTime = 0 AND state = ? AND id <> ?`,
        )
        .run(
          ResultCode.SUCCESS_ANOTHER_PHONE,
          ResultCode.SUCCESS_ANOTHER_PHONE,
          o.nowSec,
          o.nowSec,
          row.taskId,
          row.clientId,
          RowState.CREATE_TASK,
          rowId,
        );
      return { closed: true, siblingsClosed: sib.changes };
    }
    return { closed: true, siblingsClosed: 0 };
  })();
}

/** An open task (state 0) with no open rows closes itself (state 1). Paused and closed tasks are left alone. */
export function closeTaskIfDone(db: Db, taskId: number, nowSec: number): boolean {
  return db.$client.transaction(() => {
    if (openAttemptCount(db, taskId) > 0) return false;
    const r = stmt(db, `UPDATE tasks SET state = 1, changeTime = ? WHERE id = ? AND state = 0`).run(nowSec, taskId);
    return r.changes === 1;
  })();
}
