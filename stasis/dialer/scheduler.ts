import { TaskState } from '../../src/domain/result-codes.js';
import {
  claimForTask,
  closeTaskIfDone,
  nextAllowedAt,
  openAttemptCount,
  openTasks,
  type AttemptRow,
  type TaskRow,
} from '../../src/services/attempts/index.js';
import type { CallEntry } from './book.js';
import { runCall } from './call-flow.js';
import { digitsOf, type DialerCore } from './core.js';
import { leaseNow } from './node-lease.js';
import { track } from './record.js';
import { RateLimiter, taskCapacity } from './pacing.js';
import { isAllowedNow, msToNextMinute } from './window.js';

/**
 * Event-driven scheduler. `kick()` (task changes from the API or another node, a call ending, a device state
 * change, a retry or window timer) schedules one pass over the open tasks; several kicks in a burst cost one
 * pass, and passes never overlap (a kick during a pass runs one more after it). Each pass claims rows task by
 * task (one transaction each, see claimForTask: the task's limit holds across nodes), starts their calls,
 * closes finished tasks and arms a single timer for the earliest future moment something becomes dialable.
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

  private running = false;
  private again = false;
  /** Called when a claim found this node's lease not live: the dialer must stop and register again. */
  onLeaseLost: () => void = () => {};

  kick = (): void => {
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.queued) return;
    this.queued = true;
    setImmediate(() => {
      this.queued = false;
      void this.run();
    });
  };

  private async run(): Promise<void> {
    this.running = true;
    try {
      await this.pass();
    } catch (err) {
      this.core.log.error({ err }, 'scheduling pass failed');
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    }
  }

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

  /** One pass; claims commit before any originate of theirs is sent. */
  async pass(): Promise<void> {
    if (!this.enabled || !this.core.alive()) return;
    const { core } = this;
    let tasks: TaskRow[];
    try {
      tasks = await openTasks(core.db);
    } catch (err) {
      core.log.error({ err }, 'could not read tasks');
      return;
    }
    let started = 0;
    for (const task of tasks) {
      if (!this.enabled || !core.alive()) return;
      if (started >= MAX_STARTS_PER_PASS) {
        // Yield to events and HTTP answers; the next pass continues where this one stopped.
        this.kick();
        return;
      }
      try {
        started += await this.serveTask(task, MAX_STARTS_PER_PASS - started);
      } catch (err) {
        core.log.error({ err, taskId: task.id }, 'scheduling a task failed; nothing of it started');
      }
    }
    // The last task used the whole budget: it may have more to start. (Without this a 1 000-number burst
    // stalled after 200 until a call ended and kicked again.)
    if (started >= MAX_STARTS_PER_PASS) this.kick();
  }

  /** Claims and starts what the task may start now; answers how many calls were started. */
  private async serveTask(task: TaskRow, budget: number): Promise<number> {
    const { core } = this;
    if (task.state !== TaskState.OPEN) return 0;
    const nowMs = core.clock.now();
    const nowSec = Math.floor(nowMs / 1000);
    const needsAgent = task.innerNumType !== 'polling';
    const target = needsAgent ? digitsOf(task.innerNum) : undefined;

    if (core.book.inFlight(task.id) === 0 && (await openAttemptCount(core.db, task.id)) === 0) {
      if (await closeTaskIfDone(core.db, task.id, core.nowSec())) {
        core.log.info({ taskId: task.id }, 'task has no open numbers: closed');
        core.events.publish({ type: 'task.state', taskId: task.id, state: TaskState.CLOSED });
      }
      return 0;
    }
    if (needsAgent && !target) return 0; // an exten task without an extension never dials (as the original)
    if (target && !core.servesTarget(target)) return 0; // its agents live on another node's PBX
    if (target) core.agents.watch(target);

    let want = taskCapacity({
      maxCountChannels: task.maxCountChannels,
      inFlight: core.book.inFlight(task.id),
      needsAgent,
      agentsFree: target ? core.agents.known(target) : undefined,
      pendingForAgents: target ? core.book.pendingFor(target) : 0,
    });
    want = Math.min(want, budget);
    // one token per call: what the rate limit allows now; tokens not used are given back below
    let tokens = 0;
    while (tokens < want) {
      const wait = this.limiter.take(Date.now());
      if (wait > 0) {
        this.wakeAt(Date.now() + wait);
        break;
      }
      tokens++;
    }
    let windowBlocked = false;
    if (tokens > 0) {
      const claimed = await claimForTask(core.db, {
        taskId: task.id,
        owner: core.owner(),
        nowSec,
        now: core.nowSec(),
        leaseNow: leaseNow(),
        want: tokens,
        shared: !needsAgent,
        inFlightHere: core.book.inFlight(task.id),
        usable: (row) =>
          // a number whose earlier call still runs here (its row given back by a peer while our lease had run out)
          core.book.has(row.id)
            ? 'busy'
            : !isAllowedNow(nowMs, row.timeOffsetMinutes, task, core.config.timezone)
            ? 'window'
            : row.clientId && core.book.clientBusy(task.id, row.clientId)
              ? 'busy'
              : 'yes',
        channelTag: Math.random().toString(36).slice(2, 8) || 'x',
      });
      this.limiter.giveBack(tokens - claimed.rows.length);
      if (!claimed.leaseLive) {
        this.onLeaseLost();
        return 0;
      }
      windowBlocked = claimed.windowBlocked;
      for (const row of claimed.rows) this.launch(task, row, target);
      if (!this.enabled) return claimed.rows.length;
      if (windowBlocked) this.wakeAt(Date.now() + msToNextMinute(nowMs));
      const next = await nextAllowedAt(core.db, task.id, nowSec);
      if (next !== undefined) this.wakeAt(Date.now() + (next * 1000 - nowMs));
      return claimed.rows.length;
    }
    const next = await nextAllowedAt(core.db, task.id, nowSec);
    if (next !== undefined) this.wakeAt(Date.now() + (next * 1000 - nowMs));
    return 0;
  }

  /** Book the claimed call and run it in the background until it is recorded. */
  private launch(task: TaskRow, row: AttemptRow & { callFile: string }, target: string | undefined): void {
    const { core } = this;
    const call: CallEntry = { rowId: row.id, taskId: task.id, clientId: row.clientId, target, channelId: row.callFile, bridged: false };
    core.book.add(call);
    core.calls.booked({ taskId: task.id, rowId: row.id, phone: row.phone, channelId: call.channelId });
    track(core, call, runCall(core, task, row, call), 'call flow');
  }
}

/** Longest single timer wait; far-future rows are re-checked at this interval. */
const MAX_TIMER_MS = 3_600_000;

/** Bounds one pass so a burst of starts yields to events and HTTP answers now and then. */
const MAX_STARTS_PER_PASS = 200;
