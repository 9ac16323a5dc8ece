import type { Db, Queries } from '../../db/client.js';
import { RowState } from '../../domain/result-codes.js';
import type { AttemptRow } from './queries.js';
import type { Owner } from './record.js';

export interface ClaimRequest {
  taskId: number;
  owner: Owner;
  /** Whole unix seconds: rows with timeCallAllow up to now are ready. */
  nowSec: number;
  /** Float unix seconds for changeTime. */
  now: number;
  /** Wall-clock unix seconds for the lease check. */
  leaseNow: number;
  /** How many calls this node would start (its agents, its rate limit); the task's limit is applied here. */
  want: number;
  /**
   * The task is dialed by every node (a survey task): this node takes at most its share of the task's channels,
   * maxCountChannels divided among the nodes dialing now, so adding a PBX spreads the calls.
   */
  shared: boolean;
  /** This node's calls of the task in flight (its own book: exact, even while a row is being closed). */
  inFlightHere: number;
  /** Whether a row may be dialed now (its window, its client having no call on this node). */
  usable: (row: AttemptRow) => 'yes' | 'window' | 'busy';
  /** Letters and digits that end the claimed calls' channel ids: `dlr-<row id>-<attempt>-<tag>`. */
  channelTag: string;
}

export interface ClaimResult {
  rows: (AttemptRow & { callFile: string })[];
  /** Some ready row was passed over only because its window is closed now. */
  windowBlocked: boolean;
  /** False when this node's lease is not live: it must not dial (it may have been taken over). */
  leaseLive: boolean;
}

/**
 * Claim up to `want` ready rows of one task for this node, in one transaction, so that the task's
 * maxCountChannels holds across every node:
 * - PostgreSQL: the task row is locked (FOR UPDATE), so claims for one task are serialised across nodes while
 *   other tasks claim in parallel; ready rows are read FOR UPDATE SKIP LOCKED, so a row another transaction
 *   is closing (signal-close, a re-POST) is passed over rather than waited for. SQLite: one writer at a time.
 * - Calls in flight = rows `inCall` on every node: from the claim until the node saw the call's channels gone,
 *   which may be after the row got its result (including rows of a dead node not yet taken over: counting them
 *   errs on the safe side); for this node its own book where it counts more.
 * - A survey task (`shared`) is split among the nodes dialing now: each takes at most its share of the channels.
 * - A client with a call in flight on any node is skipped in favour of another client's number.
 * - The node's lease is checked in the same transaction: a node whose lease ran out claims nothing.
 * Rows come in insertion order, a page at a time, until enough are usable or none are left.
 */
export function claimForTask(db: Db, r: ClaimRequest): Promise<ClaimResult> {
  if (!/^[a-z0-9]+$/.test(r.channelTag)) throw new Error(`channelTag must be lower-case letters and digits: ${r.channelTag}`);
  const pg = db.dialect === 'postgres';
  return db.tx(async (q) => {
    const out: ClaimResult = { rows: [], windowBlocked: false, leaseLive: true };
    // Three statements sent together (PostgreSQL pipelines them on the transaction's connection, in order):
    // the task row lock first; the counts after it, in a statement of their own, so they see every claim
    // committed by the transaction the lock waited for; and the first page of ready rows.
    const [task, busy, first] = await Promise.all([
      q.get<{ state: number; maxCountChannels: number }>(`SELECT state, maxCountChannels FROM tasks WHERE id = ?${pg ? ' FOR UPDATE' : ''}`, [r.taskId]),
      q.get<{ total: number; own: number | null; live: number; dialing: number }>(
        `SELECT COUNT(*) AS total, SUM(CASE WHEN node = ? THEN 1 ELSE 0 END) AS own,
                (SELECT COUNT(*) FROM nodes WHERE id = ? AND epoch = ? AND leaseUntil > ?) AS live,
                (SELECT COUNT(*) FROM nodes WHERE dialing = 1 AND leaseUntil > ? AND id <> ?) AS dialing
           FROM task_results WHERE taskId = ? AND inCall = 1`,
        [r.owner.node, r.owner.node, r.owner.epoch, r.leaseNow, r.leaseNow, r.owner.node, r.taskId],
      ),
      readyPage(q, pg, r, 0),
    ]);
    if (!task || task.state !== 0) return out;
    if (!busy || busy.live === 0) return { ...out, leaseLive: false };
    // our own calls: the rows, or the book where it knows more (a call whose row signal-close already closed)
    const own = busy.own ?? 0;
    const max = Math.max(1, task.maxCountChannels);
    const mine = Math.max(own, r.inFlightHere);
    let room = Math.min(r.want, max - (busy.total - own) - mine);
    // this node's share of a survey task: itself plus the other nodes dialing now
    if (r.shared) room = Math.min(room, Math.ceil(max / (1 + busy.dialing)) - mine);
    const taken = new Set<string>();
    const picked: number[] = [];
    let page = first;
    while (room > picked.length) {
      for (const row of page) {
        if (picked.length >= room) break;
        if (row.clientId && taken.has(row.clientId)) continue;
        const use = r.usable(row);
        if (use === 'window') out.windowBlocked = true;
        if (use !== 'yes') continue;
        if (row.clientId) taken.add(row.clientId);
        picked.push(row.id);
      }
      if (page.length < pageSize(r) || picked.length >= room) break;
      page = await readyPage(q, pg, r, page[page.length - 1]!.id);
    }
    if (picked.length > 0) {
      // the rows are ours alone until the commit (locked on PostgreSQL, one writer on SQLite): all are claimed
      const claimed = await q.commitWith<AttemptRow & { callFile: string }>(
        `UPDATE task_results SET state = ?, callFile = 'dlr-' || id || '-' || attemptNumber || '-' || ?, originatedAt = NULL,
                changeTime = ?, node = ?, epoch = ?, inCall = 1
          WHERE id IN (${picked.map(() => '?').join(', ')}) AND closeTime = 0 AND state = ? RETURNING *`,
        [RowState.CREATE_CALL_FILE, r.channelTag, r.now, r.owner.node, r.owner.epoch, ...picked, RowState.CREATE_TASK],
      );
      out.rows = claimed.sort((x, y) => x.id - y.id);
    }
    return out;
  });
}

/** A page of ready rows after `afterId`, in insertion order: clients with a call in flight anywhere left out. */
function readyPage(q: Queries, pg: boolean, r: ClaimRequest, afterId: number): Promise<AttemptRow[]> {
  return q.all<AttemptRow>(
    `SELECT * FROM task_results t WHERE taskId = ? AND closeTime = 0 AND state = '${RowState.CREATE_TASK}'
        AND timeCallAllow <= ? AND id > ?
        AND (clientId = '' OR NOT EXISTS (SELECT 1 FROM task_results b WHERE b.taskId = t.taskId
             AND b.clientId = t.clientId AND b.inCall = 1))
      ORDER BY id LIMIT ${pageSize(r)}${pg ? ' FOR UPDATE SKIP LOCKED' : ''}`,
    [r.taskId, r.nowSec, afterId],
  );
}

/** Rows read per page: a few more than wanted, for rows passed over (window closed, client busy). */
const pageSize = (r: ClaimRequest) => Math.min(256, Math.max(8, r.want * 2));
