import type { Queries } from '../../db/client.js';
import type { ParsedNumber } from './numbers.js';
import { deleteResults, INSERT_BATCH, insertNumbers, markRemoved, numbersOfTask, updateOpenNumber, type ExistingNumberRow } from './store.js';

export interface MergeStats {
  added: number;
  removed: number;
  updated: number;
  kept: number;
}

/**
 * The original's number-list merge (spec §2.2 (1)), run inside the caller's transaction:
 * - identity is phoneId (last 10 digits);
 * - rows whose phoneId is not in the new list are deleted (every attempt of that number), except a row
 *   whose call is in progress right now: that call goes on and its outcome is recorded, so it is kept,
 *   marked `removed` so it is not retried (the original deleted it and lost the outcome);
 * - numbers already in the task keep all their rows and results; only OPEN rows take the new params,
 *   clientId, timeCallAllow and TimeOffset (a finished number is never re-dialed by a re-POST);
 *   unlike v1.35 pending retry rows are kept too;
 * - new numbers are appended in request order.
 * The task's rows are read once into a Map so 100 000 numbers cost one scan, not 100 000 lookups. The new
 * list is read once, as it is parsed (an iterable, so no array of every parsed row): rows are written as
 * numbers come (new ones INSERT_BATCH at a time), and the rows no longer wanted are removed at the end, in batches.
 */
/** Rows that may share one changeTime (well below the 10 000-row sync cap). */
const STAMP_GROUP = 1000;

const isInCall = (r: { closeTime: number; state: string }) => r.closeTime === 0 && r.state !== 'CreateTask';

export async function mergeNumbers(q: Queries, taskId: number, numbers: Iterable<ParsedNumber>, now: number): Promise<MergeStats> {
  const byPhone = new Map<string, ExistingNumberRow[]>();
  for (const row of await numbersOfTask(q, taskId)) {
    const list = byPhone.get(row.phoneId);
    if (list) list.push(row);
    else byPhone.set(row.phoneId, [row]);
  }
  const stats: MergeStats = { added: 0, removed: 0, updated: 0, kept: 0 };

  /** Numbers of the new list the task already has (only those matter for what to remove). */
  const wanted = new Set<string>();

  // CRMs sync with GET /results/{changeTime}: inclusive bound, at most 10 000 rows. Rows written with one
  // changeTime beyond that cap could never be paged past, so each 1 000 rows written get the next millisecond.
  let written = 0;
  const stamp = () => now + Math.floor(written++ / STAMP_GROUP) / 1000;
  let pending: { n: ParsedNumber; changeTime: number }[] = [];
  for (const n of numbers) {
    const rows = byPhone.get(n.phoneId);
    if (!rows) {
      pending.push({ n, changeTime: stamp() });
      stats.added++;
      if (pending.length === INSERT_BATCH) {
        await insertNumbers(q, taskId, pending);
        pending = [];
      }
      continue;
    }
    wanted.add(n.phoneId);
    for (const r of rows) {
      const same =
        r.params === n.params &&
        r.clientId === n.clientId &&
        r.timeCallAllow === n.timeCallAllow &&
        r.timeOffsetMinutes === n.timeOffsetMinutes;
      if (r.closeTime !== 0 || same) stats.kept++;
      else {
        await updateOpenNumber(q, r.id, n, stamp());
        stats.updated++;
      }
    }
  }
  await insertNumbers(q, taskId, pending);

  const unwanted: number[] = [];
  for (const [phoneId, rows] of byPhone) {
    if (wanted.has(phoneId)) continue;
    for (const r of rows) {
      if (isInCall(r)) {
        await markRemoved(q, r.id); // recorded when the call ends, never retried
        stats.kept++;
        continue;
      }
      unwanted.push(r.id);
      stats.removed++;
    }
  }
  await deleteResults(q, unwanted);
  return stats;
}
