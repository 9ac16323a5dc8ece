import { hostname } from 'node:os';
import { endCall, finishAttempt, releaseAttempt, type Owner } from '../../src/services/attempts/index.js';
import { orphanedAttempts, regainLease, registerNode, renewLease } from '../../src/services/nodes/index.js';
import type { DialerCore } from './core.js';
import { evidenceResult } from './reconcile.js';

/** Beyond the ring timeout, how long a lost node's answered call may still hold the customer on its PBX. */
const LOST_CALL_MARGIN_SECONDS = 30;

/** Lease time is wall-clock time on every node (DIALER_TIME_SCALE does not apply); keep the PBX hosts in NTP sync. */
export const leaseNow = () => Date.now() / 1000;

/**
 * This node's membership among the nodes sharing the database (see src/services/nodes): it registers (new
 * epoch), renews its lease every third of DIALER_NODE_LEASE_SECONDS, and after each renewal takes over the rows
 * of nodes whose lease ran out. When a renewal fails (the lease had run out: the database was unreachable or the
 * process stalled) it calls `lost()`; the dialer then stops dialing and takes the lease back (regain).
 */
export class NodeLease {
  owner: Owner;
  private timer: NodeJS.Timeout | undefined;
  private beating = false;

  constructor(
    private readonly core: Omit<DialerCore, 'owner'>,
    private readonly lost: () => void,
    /** Whether the node dials now (told to peers, who share survey tasks with the nodes dialing). */
    private readonly dialing: () => boolean,
  ) {
    this.owner = { node: core.config.node.id, epoch: 0 };
  }

  private get leaseSec() {
    return this.core.config.node.leaseSeconds;
  }

  /** Register: a new epoch, this node's rows of earlier runs re-stamped with it (then reconcile them). */
  async register(): Promise<void> {
    const r = await registerNode(this.core.db, this.owner.node, hostname(), leaseNow(), this.leaseSec);
    this.owner = r.owner;
    if (r.previousLeaseLive) {
      this.core.log.warn(
        { node: r.owner.node },
        'this node\'s previous lease had not run out: if another process runs with the same DIALER_NODE_ID, give each node its own',
      );
    }
    this.core.log.info({ node: r.owner.node, epoch: r.owner.epoch, adopted: r.adopted }, 'node registered');
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.beat(), (this.leaseSec * 1000) / 3);
    this.timer.unref?.();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * After the lease ran out in this running process: take it back under the same epoch (true), or, if another
   * process registered with this node's id meanwhile, register afresh (false: a new epoch; the caller resynchronises).
   */
  async regain(): Promise<boolean> {
    if (await regainLease(this.core.db, this.owner, leaseNow(), this.leaseSec)) {
      this.core.log.warn({ node: this.owner.node, epoch: this.owner.epoch }, 'node lease taken back; calls a peer took over meanwhile stay the peer\'s');
      return true;
    }
    this.core.log.error({ node: this.owner.node }, 'another process registered as this node (same DIALER_NODE_ID?): registering afresh');
    await this.register();
    return false;
  }

  /** Renew now (e.g. dialing just started or stopped), rather than at the next beat. */
  renewSoon(): void {
    void this.beat();
  }

  private async beat(): Promise<void> {
    if (this.beating || !this.core.alive()) return;
    this.beating = true;
    try {
      if (!(await renewLease(this.core.db, this.owner, leaseNow(), this.leaseSec, this.dialing()))) {
        this.core.log.error({ node: this.owner.node, epoch: this.owner.epoch }, 'node lease ran out: dialing stops until it is taken back');
        this.lost();
        return;
      }
      if ((await this.takeOver()) > 0) this.core.kick();
    } catch (err) {
      this.core.log.error({ err }, 'node lease renewal failed (database unreachable?)');
    } finally {
      this.beating = false;
    }
  }

  /**
   * Calls of nodes whose lease ran out: never sent → ready again (nobody was called); sent → closed from what
   * they recorded, never dialed again as such (the dead node's PBX may still have rung the customer), and a retry
   * waits at least the ring timeout longer than usual, so the dead PBX's call is over before the number rings
   * again; already closed → simply no longer counted.
   * Each write is fenced by the orphan's own (node, epoch): of peers racing for a row one wins, and the dead
   * node, should it come back, writes nothing to it. Answers how many rows were taken over.
   */
  async takeOver(): Promise<number> {
    const { core } = this;
    let taken = 0;
    for (const row of await orphanedAttempts(core.db, leaseNow())) {
      if (!core.alive()) break;
      const owner = { node: row.node!, epoch: row.epoch ?? 0 };
      // Each call taken over ends on this node's live events too (its own node cannot say so any more).
      if (row.closeTime !== 0) {
        if (await endCall(core.db, row.id, owner)) {
          taken++;
          core.calls.tookOver(row, row.result);
        }
        continue;
      }
      if (row.originatedAt === null) {
        if (await releaseAttempt(core.db, row.id, core.nowSec(), owner, true)) {
          taken++;
          core.calls.tookOver(row, '');
        }
        continue;
      }
      const r = evidenceResult(row);
      const margin = core.config.dialing.ringTimeoutSeconds + LOST_CALL_MARGIN_SECONDS;
      const out = await finishAttempt(
        core.db,
        row.id,
        r.result,
        { state: r.state, cause: row.cause ?? `node ${row.node} lost` },
        { nowSec: core.nowSec(), retryAt: (tryInterval) => core.retryAt(tryInterval + margin), owner },
      );
      if (out.closed) {
        await endCall(core.db, row.id, owner);
        taken++;
        core.calls.tookOver(row, r.result);
        core.log.warn({ rowId: row.id, from: row.node, result: r.result }, 'took over a call of a lost node: recorded, not dialed again');
      }
    }
    return taken;
  }
}
