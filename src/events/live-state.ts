import type { CallPhase, LiveEvent } from './types.js';

type CallStarted = Extract<LiveEvent, { type: 'call.started' }>;
type TaskProgress = Extract<LiveEvent, { type: 'task.progress' }>;

export interface LiveCall extends Omit<CallStarted, 'type'> {
  /** ms since the epoch */
  startedAt: number;
  answeredAt?: number;
  /** What the call is doing now (call.phase), 'ringing' until answered. */
  phase: CallPhase;
  /** The agent's extension / queue once phase is 'agent', when known. */
  agent?: string;
}

/** What a client that has no events yet (or lost some) starts from: the current state the events changed. */
export interface LiveSnapshot {
  /** The id of the last event this snapshot includes; events after it follow on the stream. */
  lastId: number;
  ari: 'connected' | 'disconnected' | 'unknown';
  calls: LiveCall[];
  tasks: Array<Omit<TaskProgress, 'type'> & { state?: number }>;
  agents: Array<{ target: string; free: number }>;
}

/** Tasks remembered for snapshots; the oldest-updated are forgotten past this. */
const MAX_TASKS = 1000;

/**
 * The state the live events describe, kept up to date as they are published. Bounded: calls by the calls in
 * flight, tasks by MAX_TASKS, agents by the targets the dialer follows.
 */
export class LiveState {
  private ari: LiveSnapshot['ari'] = 'unknown';
  private readonly calls = new Map<number, LiveCall>();
  private readonly tasks = new Map<number, LiveSnapshot['tasks'][number]>();
  private readonly agents = new Map<string, number>();

  apply(e: LiveEvent, at: number): void {
    switch (e.type) {
      case 'call.started':
        this.calls.set(e.rowId, { taskId: e.taskId, rowId: e.rowId, phone: e.phone, channelId: e.channelId, startedAt: at, phase: 'ringing' });
        return;
      case 'call.answered': {
        const c = this.calls.get(e.rowId);
        if (c) {
          c.answeredAt = at;
          if (c.phase === 'ringing') c.phase = 'answered';
        }
        return;
      }
      case 'call.phase': {
        const c = this.calls.get(e.rowId);
        if (c) {
          c.phase = e.phase;
          if (e.agent !== undefined) c.agent = e.agent;
        }
        return;
      }
      case 'call.ended':
        this.calls.delete(e.rowId);
        return;
      case 'task.progress': {
        const { type: _, ...p } = e;
        this.touchTask(e.taskId, { ...this.tasks.get(e.taskId), ...p });
        return;
      }
      case 'task.state': {
        const t = this.tasks.get(e.taskId);
        this.touchTask(e.taskId, t ? { ...t, state: e.state } : { taskId: e.taskId, waiting: 0, inCall: 0, done: 0, answered: 0, results: {}, state: e.state });
        return;
      }
      case 'agent.state':
        this.agents.set(e.target, e.free);
        return;
      case 'ari.connection':
        this.ari = e.state;
        return;
    }
  }

  private touchTask(taskId: number, v: LiveSnapshot['tasks'][number]) {
    this.tasks.delete(taskId);
    this.tasks.set(taskId, v);
    if (this.tasks.size > MAX_TASKS) this.tasks.delete(this.tasks.keys().next().value as number);
  }

  snapshot(lastId: number, taskId?: number): LiveSnapshot {
    const mine = <T extends { taskId: number }>(x: T) => taskId === undefined || x.taskId === taskId;
    return {
      lastId,
      ari: this.ari,
      calls: [...this.calls.values()].filter(mine),
      tasks: [...this.tasks.values()].filter(mine),
      agents: [...this.agents].map(([target, free]) => ({ target, free })),
    };
  }
}
