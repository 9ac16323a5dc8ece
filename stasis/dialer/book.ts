/**
 * The dialer's in-memory view of calls in flight, indexed the ways pacing needs: per task (maxCountChannels),
 * per task+client (two numbers of one client never at once) and per agent target (calls not yet bridged must
 * never outnumber free agents).
 */
export interface CallEntry {
  rowId: number;
  taskId: number;
  clientId: string;
  /** innerNum of an exten/queue task; undefined for polling tasks. */
  target?: string;
  channelId: string;
  agentChannelId?: string;
  bridged: boolean;
  /**
   * performance.now() when the customer / agent originate's HTTP answer came back (or the call was adopted).
   * Reconciliation only trusts "not in listChannels" for a leg whose originate was answered before it asked.
   */
  originateAnsweredAt?: number;
  agentOriginateAnsweredAt?: number;
  /** Hung up by us at the shutdown deadline. */
  cutAtShutdown?: boolean;
  /** Settles when the call is recorded and its channels are gone. */
  done?: Promise<void>;
}

export class CallBook {
  private readonly byRow = new Map<number, CallEntry>();
  private readonly perTask = new Map<number, number>();
  private readonly perClient = new Map<string, number>();
  private readonly notBridged = new Map<string, number>();
  private idleWaiters: (() => void)[] = [];

  get size() {
    return this.byRow.size;
  }
  has(rowId: number) {
    return this.byRow.has(rowId);
  }
  get(rowId: number) {
    return this.byRow.get(rowId);
  }
  all(): CallEntry[] {
    return [...this.byRow.values()];
  }
  inFlight(taskId: number) {
    return this.perTask.get(taskId) ?? 0;
  }
  clientBusy(taskId: number, clientId: string) {
    return clientId !== '' && (this.perClient.get(`${taskId}\u0000${clientId}`) ?? 0) > 0;
  }
  /** Calls to this agent target that are not (yet) talking to an agent. */
  pendingFor(target: string) {
    return this.notBridged.get(target) ?? 0;
  }

  add(e: CallEntry) {
    if (this.byRow.has(e.rowId)) return;
    this.byRow.set(e.rowId, e);
    bump(this.perTask, e.taskId, 1);
    if (e.clientId) bump(this.perClient, `${e.taskId}\u0000${e.clientId}`, 1);
    if (e.target && !e.bridged) bump(this.notBridged, e.target, 1);
  }

  markBridged(e: CallEntry) {
    if (e.bridged || !this.byRow.has(e.rowId)) return;
    e.bridged = true;
    if (e.target) bump(this.notBridged, e.target, -1);
  }

  remove(e: CallEntry) {
    if (this.byRow.get(e.rowId) !== e) return;
    this.byRow.delete(e.rowId);
    bump(this.perTask, e.taskId, -1);
    if (e.clientId) bump(this.perClient, `${e.taskId}\u0000${e.clientId}`, -1);
    if (e.target && !e.bridged) bump(this.notBridged, e.target, -1);
    if (this.byRow.size === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  whenEmpty(): Promise<void> {
    if (this.byRow.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }
}

function bump<K>(m: Map<K, number>, k: K, d: number) {
  const v = (m.get(k) ?? 0) + d;
  if (v <= 0) m.delete(k);
  else m.set(k, v);
}
