import { TaskState } from '../../src/domain/result-codes.js';
import {
  claimAttempt,
  closeTaskIfDone,
  nextAllowedAt,
  openAttemptCount,
  openTasks,
  readyAttempts,
  type AttemptRow,
  type TaskRow,
} from '../../src/services/attempts/index.js';
import type { CallEntry } from './book.js';
import { runCall } from './call-flow.js';
import { digitsOf, type DialerCore } from './core.js';
import { track } from './record.js';
import { pickCandidate, RateLimiter, taskCapacity } from './pacing.js';
import { isAllowedNow, msToNextMinute } from './window.js';

/**
 * Event-driven scheduler. `kick()` (task changes from the API, a call ending, a device state change, a retry
 * or window timer) schedules one synchronous pass over the open tasks on the next tick; several kicks in a
 * burst cost one pass. Each pass claims rows and starts calls up to each task's limits, closes finished tasks
 * and arms a single timer for the earliest future moment something becomes dialable.
 */
export class Scheduler {
  private queued = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private readonly limiter: RateLimiter;
  /** False while disconnected, reconciling, draining or stopped. */
  enabled = false;

  constructor(private readonly core: DialerCore) {
    this.limiter = new RateLimiter(core.config.dialing.maxOriginateRate, Date.now());
  }

  kick = (): void => {
    if (this.queued) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      this.pass();
    });
  };

  stop(): void {
    this.enabled = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private wakeAt(realMs: number) {
    // Node's timers overflow past 2^31-1 ms (~24.8 days) and fire after 1 ms: a row allowed months ahead
    // would spin passes forever. An hour is far enough; the pass then simply re-arms the timer.
    realMs = Math.min(realMs, Date.now() + MAX_TIMER_MS);
    if (realMs >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = realMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.kick();
    }, Math.max(0, realMs - Date.now()));
    this.timer.unref?.();
  }

  /** One pass. Synchronous: claims happen before any await, so two passes never claim the same row. */
  pass(): void {
    if (!this.enabled || !this.core.alive()) return;
    const { core } = this;
    let tasks: TaskRow[];
    try {
      tasks = openTasks(core.db);
    } catch (err) {
      core.log.error({ err }, 'could not read tasks');
      return;
    }
    // All claims of a pass commit in one transaction (one WAL write), and only then are originates sent.
    const launches: Launch[] = [];
    // Agent targets to follow: watch() starts ARI requests, which never run inside a transaction.
    const targets = new Set<string>();
    try {
      core.db.$client.transaction(() => {
        for (const task of tasks) {
          try {
            this.serveTask(task, launches, targets);
          } catch (err) {
            core.log.error({ err, taskId: task.id }, 'scheduling a task failed');
          }
        }
      })();
    } catch (err) {
      core.log.error({ err }, 'claiming numbers failed; nothing started');
      for (const l of launches) core.book.remove(l.call);
      return;
    }
    for (const t of targets) core.agents.watch(t);
    for (const l of launches) this.launch(l);
  }

  private serveTask(task: TaskRow, launches: Launch[], targets: Set<string>): void {
    const { core } = this;
    if (task.state !== TaskState.OPEN) return;
    const nowMs = core.clock.now();
    const nowSec = Math.floor(nowMs / 1000);
    const needsAgent = task.innerNumType !== 'polling';
    const target = needsAgent ? digitsOf(task.innerNum) : undefined;

    if (core.book.inFlight(task.id) === 0 && openAttemptCount(core.db, task.id) === 0) {
      if (closeTaskIfDone(core.db, task.id, core.nowSec())) core.log.info({ taskId: task.id }, 'task has no open numbers: closed');
      return;
    }
    if (needsAgent && !target) return; // an exten task without an extension never dials (as the original)
    if (target) targets.add(target);

    let cap = taskCapacity({
      maxCountChannels: task.maxCountChannels,
      inFlight: core.book.inFlight(task.id),
      needsAgent,
      agentsFree: target ? core.agents.known(target) : undefined,
      pendingForAgents: target ? core.book.pendingFor(target) : 0,
    });
    let windowBlocked = false;
    while (cap > 0) {
      if (launches.length >= MAX_STARTS_PER_PASS) {
        // Yield to events and HTTP answers; the next pass continues where this one stopped.
        this.kick();
        break;
      }
      const wait = this.limiter.take(Date.now());
      if (wait > 0) {
        this.wakeAt(Date.now() + wait);
        break;
      }
      let picked: ReturnType<typeof pickCandidate<AttemptRow>>;
      // The generator must be finished before any write on the same connection: pickCandidate returns early.
      const rows = readyAttempts(core.db, task.id, nowSec);
      try {
        picked = pickCandidate(
          rows,
          (clientId) => core.book.clientBusy(task.id, clientId),
          (offset) => isAllowedNow(nowMs, offset, task, core.config.timezone),
        );
      } finally {
        rows.return(undefined);
      }
      windowBlocked ||= picked.windowBlocked;
      if (!picked.row) break;
      if (!this.claim(task, picked.row, target, launches)) continue;
      cap--;
    }
    if (windowBlocked) this.wakeAt(Date.now() + msToNextMinute(nowMs));
    const next = nextAllowedAt(core.db, task.id, nowSec);
    if (next !== undefined) this.wakeAt(Date.now() + (next * 1000 - nowMs));
  }

  /** Claim the row (inside the pass's transaction) and book the call; it is launched after the commit. */
  private claim(task: TaskRow, row: AttemptRow, target: string | undefined, launches: Launch[]): boolean {
    const { core } = this;
    const channelId = `dlr-${row.id}-${row.attemptNumber}-${Math.random().toString(36).slice(2, 8)}`;
    if (!claimAttempt(core.db, row.id, channelId, core.nowSec())) return false;
    const call: CallEntry = { rowId: row.id, taskId: task.id, clientId: row.clientId, target, channelId, bridged: false };
    core.book.add(call);
    launches.push({ task, row, call });
    return true;
  }

  /** Run a claimed call in the background until it is recorded. */
  private launch({ task, row, call }: Launch): void {
    track(this.core, call, runCall(this.core, task, row, call), 'call flow');
  }
}

/** Longest single timer wait; far-future rows are re-checked at this interval. */
const MAX_TIMER_MS = 3_600_000;

/** Bounds one synchronous pass so a burst of starts never blocks the event loop for long. */
const MAX_STARTS_PER_PASS = 200;

interface Launch {
  task: TaskRow;
  row: AttemptRow;
  call: CallEntry;
}
