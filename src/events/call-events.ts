import type { Queries } from '../db/port.js';
import type { EventSink } from './types.js';

interface CallInfo {
  taskId: number;
  rowId: number;
  phone: string;
  channelId: string;
  started: boolean;
  answered: boolean;
  ended: boolean;
}

/**
 * Turns the dialer's milestones of a call into live events: booked (no event: what the later ones need to say),
 * originate sent (call.started), customer answered (call.answered), result recorded (call.ended) and the call
 * leaving the book (call.ended with result '' when it had none: put back, never sent, taken over). Memory is
 * bounded by the calls in flight: `left` forgets a call.
 */
export class CallEvents {
  private readonly byRow = new Map<number, CallInfo>();
  private readonly byChannel = new Map<string, CallInfo>();

  constructor(
    private readonly sink: EventSink,
    /** Reads a row the dialer did not book here (adopted after a restart); its call.ended comes once read. */
    private readonly db?: Queries,
  ) {}

  booked(c: { taskId: number; rowId: number; phone: string; channelId: string }): void {
    const info = { ...c, started: false, answered: false, ended: false };
    this.byRow.set(c.rowId, info);
    this.byChannel.set(c.channelId, info);
  }

  /** An originate request is going out on this channel; only a booked customer leg is a call start. */
  originating(channelId: string): void {
    const c = this.byChannel.get(channelId);
    if (!c || c.started) return;
    c.started = true;
    this.sink.publish({ type: 'call.started', taskId: c.taskId, rowId: c.rowId, phone: c.phone, channelId });
  }

  /** A channel entered our app: for an originated customer leg, that is the answer. */
  entered(channelId: string): void {
    const c = this.byChannel.get(channelId);
    if (!c || !c.started || c.answered) return;
    c.answered = true;
    this.sink.publish({ type: 'call.answered', taskId: c.taskId, rowId: c.rowId, phone: c.phone, channelId });
  }

  /** The row was closed with `result` by this node. */
  finished(rowId: number, result: string, outDialState: string | null | undefined): void {
    const c = this.byRow.get(rowId);
    if (c) {
      if (c.ended) return;
      c.ended = true;
      const ods = outDialState ?? (c.answered ? 'ANSWER' : null);
      this.sink.publish({ type: 'call.ended', taskId: c.taskId, rowId, phone: c.phone, result, outDialState: ods });
      return;
    }
    // Not booked here (a call adopted after a restart): the event waits for one indexed read, off the call's path.
    this.fromRow(rowId, (r) => ({ result, outDialState: outDialState ?? r.outDialState }));
  }

  /**
   * The call left the dialer's book: forget it. One that was started and got no result here ends with ''; one
   * never sent may have been closed by a service the dialer called (a number on the do-not-call list): its
   * result is read back, off the call's path.
   */
  left(rowId: number): void {
    const c = this.byRow.get(rowId);
    if (!c) return;
    this.byRow.delete(rowId);
    if (this.byChannel.get(c.channelId) === c) this.byChannel.delete(c.channelId);
    if (c.ended) return;
    if (c.started) this.sink.publish({ type: 'call.ended', taskId: c.taskId, rowId, phone: c.phone, result: '', outDialState: null });
    else this.fromRow(rowId, (r) => (r.result ? { result: r.result, outDialState: r.outDialState } : undefined));
  }

  private fromRow(rowId: number, ended: (r: Row) => { result: string; outDialState: string | null } | undefined): void {
    void this.db
      ?.get<Row>('SELECT taskId, phone, result, outDialState FROM task_results WHERE id = ?', [rowId])
      .then((r) => {
        const e = r && ended(r);
        if (r && e) this.sink.publish({ type: 'call.ended', taskId: Number(r.taskId), rowId, phone: r.phone, ...e });
      })
      .catch(() => undefined);
  }
}

type Row = { taskId: number; phone: string; result: string; outDialState: string | null };
