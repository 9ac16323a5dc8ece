/**
 * Customer originates leave in the order their rows were claimed (insertion order, as pacing promises), although
 * the row write awaited before each (markOriginateSentUnlessDnc) may complete out of order: PostgreSQL answers writes on
 * several pooled connections. A call takes its place once it holds an originate slot (slots are handed out in
 * order) and sends only when every earlier place was left, its originate sent or given up. The writes
 * themselves still overlap.
 */
export class SendOrder {
  private last: Promise<void> = Promise.resolve();

  /** `turn` resolves once every earlier place was left; `leave` (idempotent) lets the next one go. */
  take(): { turn: Promise<void>; leave: () => void } {
    const turn = this.last;
    let leave!: () => void;
    this.last = new Promise<void>((r) => (leave = r));
    return { turn, leave };
  }
}

const orders = new WeakMap<object, SendOrder>();

/** The send order of one dialer (keyed by its core). */
export function sendOrderOf(core: object): SendOrder {
  let o = orders.get(core);
  if (!o) orders.set(core, (o = new SendOrder()));
  return o;
}
