/**
 * What happens live, as the dialer tells it: the cockpit's event stream (SSE), metrics and anything else that
 * watches calls subscribe to these. Webhooks do NOT rely on them (an in-memory event is lost on a crash): they are
 * written to the outbox in the same transaction as the result they report.
 */
/** ringing: originate sent; answered: in our app, not yet in a survey or with an agent. */
export type CallPhase = 'ringing' | 'answered' | 'survey' | 'agent';

export type LiveEvent =
  | { type: 'call.started'; taskId: number; rowId: number; phone: string; channelId: string }
  | { type: 'call.answered'; taskId: number; rowId: number; phone: string; channelId: string }
  /** What an answered call is doing now: the survey plays to the customer, or the customer is with an agent. */
  | { type: 'call.phase'; taskId: number; rowId: number; phase: CallPhase; agent?: string }
  /** result '' = the call left this node without a result of its own (put back in the queue, or taken over). */
  | { type: 'call.ended'; taskId: number; rowId: number; phone: string; result: string; outDialState: string | null }
  | { type: 'task.state'; taskId: number; state: number }
  /**
   * A task's rows counted from the database after its calls started or ended (coalesced, see progress.ts):
   * waiting = open rows not dialed yet (scheduled retries included), inCall = rows in call on any node,
   * done = attempts closed, answered = closed attempts whose customer answered, results = closed attempts by result.
   */
  | { type: 'task.progress'; taskId: number; waiting: number; inCall: number; done: number; answered: number; results: Record<string, number> }
  | { type: 'agent.state'; target: string; free: number }
  | { type: 'ari.connection'; state: 'connected' | 'disconnected' };

/** Where the dialer publishes live events. Never throws and never blocks a call. */
export interface EventSink {
  publish(event: LiveEvent): void;
}

export const noEvents: EventSink = { publish: () => {} };
