import type { Db, Queries } from '../../db/client.js';
import { RowState } from '../../domain/result-codes.js';
import type { AttemptRow } from '../attempts/queries.js';
import type { Owner } from '../attempts/record.js';

/**
 * Dialer nodes sharing one database: leases and fencing.
 * - A node registers at start: its epoch grows by one (the new fencing token), its lease starts, and its rows
 *   still in flight from an earlier run are re-stamped with the new epoch so it can reconcile them itself.
 * - It renews the lease every third of DIALER_NODE_LEASE_SECONDS. A renewal that finds the lease already run
 *   out fails: the node may have been taken over and must start afresh (new epoch, reconcile).
 * - Calls (rows inCall) whose (node, epoch) is not a live lease are orphans: any node takes them over
 *   (orphanedAttempts), each write fenced by the orphan's (node, epoch), so two peers never both take one, and
 *   the late owner can write nothing to it afterwards.
 */

export interface NodeRow {
  id: string;
  epoch: number;
  leaseUntil: number;
  startedAt: number;
  host: string;
  dialing: number;
}

export interface Registration {
  owner: Owner;
  /** The node's previous lease had not run out: another process may use the same DIALER_NODE_ID. */
  previousLeaseLive: boolean;
  /** Rows in flight from the node's earlier run, now under the new epoch. */
  adopted: number;
}

export function registerNode(db: Db, id: string, host: string, nowSec: number, leaseSec: number): Promise<Registration> {
  return db.tx(async (q) => {
    const prev = await q.get<NodeRow>('SELECT * FROM nodes WHERE id = ?', [id]);
    const epoch = (prev?.epoch ?? 0) + 1;
    if (prev) {
      await q.run('UPDATE nodes SET epoch = ?, leaseUntil = ?, startedAt = ?, host = ?, dialing = 0 WHERE id = ?', [epoch, nowSec + leaseSec, nowSec, host, id]);
    } else {
      await q.run('INSERT INTO nodes (id, epoch, leaseUntil, startedAt, host) VALUES (?, ?, ?, ?, ?)', [id, epoch, nowSec + leaseSec, nowSec, host]);
    }
    // calls of this node's earlier runs (and rows in flight from before nodes existed) come back to it for
    // reconciliation
    const adopted = await q.run(
      `UPDATE task_results SET node = ?, epoch = ?, inCall = 1
        WHERE (inCall = 1 AND node = ?) OR (closeTime = 0 AND state <> '${RowState.CREATE_TASK}' AND (node = ? OR node IS NULL))`,
      [id, epoch, id, id],
    );
    return { owner: { node: id, epoch }, previousLeaseLive: !!prev && prev.leaseUntil > nowSec, adopted };
  });
}

/**
 * Extend the lease and say whether the node dials now; false when the lease had run out or the epoch moved on
 * (the node must register again).
 */
export async function renewLease(db: Queries, owner: Owner, nowSec: number, leaseSec: number, dialing = false): Promise<boolean> {
  const changed = await db.run('UPDATE nodes SET leaseUntil = ?, dialing = ? WHERE id = ? AND epoch = ? AND leaseUntil > ?', [
    nowSec + leaseSec,
    dialing ? 1 : 0,
    owner.node,
    owner.epoch,
    nowSec,
  ]);
  return changed === 1;
}

/**
 * The same process takes its lease back after it ran out (the database was unreachable, or the process stalled):
 * same epoch, because its calls in flight are still running here and must keep writing their rows. What a peer took
 * over meanwhile is fenced by the rows themselves (closed, or given back with no owner). False when the epoch moved
 * on (another process registered with this node's id): then the node must register afresh.
 */
export async function regainLease(db: Queries, owner: Owner, nowSec: number, leaseSec: number): Promise<boolean> {
  return (await db.run('UPDATE nodes SET leaseUntil = ? WHERE id = ? AND epoch = ?', [nowSec + leaseSec, owner.node, owner.epoch])) === 1;
}

/** True while the node's lease is live under this epoch (checked inside claim transactions). */
export async function leaseLive(q: Queries, owner: Owner, nowSec: number): Promise<boolean> {
  return !!(await q.value('SELECT 1 FROM nodes WHERE id = ? AND epoch = ? AND leaseUntil > ?', [owner.node, owner.epoch, nowSec]));
}

/** A graceful stop: nothing of ours is in flight any more; peers need not wait for the lease to run out. */
export async function endLease(db: Queries, owner: Owner): Promise<void> {
  await db.run('UPDATE nodes SET leaseUntil = 0, dialing = 0 WHERE id = ? AND epoch = ?', [owner.node, owner.epoch]);
}

/** Calls (rows inCall, with a result or not) whose owner holds no live lease under the epoch that claimed them. */
export function orphanedAttempts(db: Queries, nowSec: number, limit = 500): Promise<AttemptRow[]> {
  return db.all<AttemptRow>(
    `SELECT * FROM task_results r WHERE r.inCall = 1 AND r.node IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM nodes n WHERE n.id = r.node AND n.epoch = r.epoch AND n.leaseUntil > ?)
      ORDER BY r.id LIMIT ${Math.floor(limit)}`,
    [nowSec],
  );
}

export const listNodes = (db: Queries) => db.all<NodeRow>('SELECT id, epoch, leaseUntil, startedAt, host, dialing FROM nodes ORDER BY id');
