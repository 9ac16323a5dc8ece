/**
 * Pacing decisions (pure): how many new calls a task may start now, and which ready number is next.
 */

export interface CapacityInput {
  maxCountChannels: number;
  inFlight: number;
  /** Polling tasks ring no agent. */
  needsAgent: boolean;
  /** Free agents of the task's extension/queue as Asterisk last reported; undefined = not known yet. */
  agentsFree?: number;
  /** Our calls to that extension/queue not yet bridged to an agent (ringing customers, ringing agents). */
  pendingForAgents: number;
}

export function taskCapacity(i: CapacityInput): number {
  let cap = Math.max(1, i.maxCountChannels) - i.inFlight;
  if (i.needsAgent) {
    if (i.agentsFree === undefined) return 0;
    cap = Math.min(cap, i.agentsFree - i.pendingForAgents);
  }
  return Math.max(0, cap);
}

export interface CandidateRow {
  id: number;
  clientId: string;
  timeOffsetMinutes: number | null;
}

export interface PickResult<R> {
  row?: R;
  /** Some ready row was skipped only because its window is closed now. */
  windowBlocked: boolean;
}

/**
 * First ready row (rows come in insertion order) whose window is open and whose client has no call in
 * flight; a row of a busy client is skipped in favour of another client's number.
 */
export function pickCandidate<R extends CandidateRow>(
  rows: Iterable<R>,
  clientBusy: (clientId: string) => boolean,
  windowOpen: (offsetMinutes: number | null) => boolean,
): PickResult<R> {
  let windowBlocked = false;
  for (const r of rows) {
    if (!windowOpen(r.timeOffsetMinutes)) {
      windowBlocked = true;
      continue;
    }
    if (r.clientId && clientBusy(r.clientId)) continue;
    return { row: r, windowBlocked };
  }
  return { windowBlocked };
}

/** Token bucket for DIALER_MAX_ORIGINATE_RATE (0 = unlimited). */
export class RateLimiter {
  private tokens: number;
  private last: number;
  constructor(
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = Math.max(1, perSecond);
    this.last = now;
  }
  /** Take a token; returns 0 when allowed, else the ms to wait. */
  take(now: number): number {
    if (this.perSecond <= 0) return 0;
    this.tokens = Math.min(Math.max(1, this.perSecond), this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }
  /** Return tokens taken but not used (fewer rows were claimable than hoped). */
  giveBack(n: number): void {
    if (this.perSecond <= 0 || n <= 0) return;
    this.tokens = Math.min(Math.max(1, this.perSecond), this.tokens + n);
  }
}
