/**
 * A counting semaphore for originate requests. The ARI HTTP layer keeps 64 connections; holding
 * originates below that means a request is written to a socket the moment its row is marked sent, instead
 * of waiting in a client-side queue — so a crash leaves the queued rows provably unsent (and dialable),
 * not "maybe rung".
 */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = size;
  }

  acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** Originates in flight at once; other requests (hangups, reads) keep the rest of the 64 connections. */
export const ORIGINATE_SLOTS = 32;
