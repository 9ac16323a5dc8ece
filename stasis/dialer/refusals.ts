/**
 * How many times Asterisk refused to allocate a channel (500) for each number, across resynchronisations. A
 * refusal while Asterisk shuts down is transient and the number goes back to the queue; one that repeats for the
 * same number is a real "no route" (an endpoint technology that does not exist). Forgotten when the number's
 * originate goes through; bounded, so a long outage of many numbers cannot grow it without limit.
 */
export class RefusalCounter {
  private readonly counts = new Map<number, number>();
  constructor(private readonly max = 10_000) {}

  /** Count one more refusal of this row; returns the total so far. */
  add(rowId: number): number {
    const n = (this.counts.get(rowId) ?? 0) + 1;
    this.counts.delete(rowId);
    if (this.counts.size >= this.max) this.counts.delete(this.counts.keys().next().value as number);
    this.counts.set(rowId, n);
    return n;
  }

  forget(rowId: number): void {
    this.counts.delete(rowId);
  }
}
