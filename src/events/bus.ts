import { LiveState, type LiveSnapshot } from './live-state.js';
import type { EventSink, LiveEvent } from './types.js';

/** One published event as the bus keeps it: its id, when (ms since the epoch), and its SSE frame ready to send. */
export interface BusEvent {
  id: number;
  at: number;
  event: LiveEvent;
  /** `id:` / `event:` / `data:` lines, encoded once for every client. */
  frame: Uint8Array;
}

export type EventFilter = (e: LiveEvent) => boolean;

/** Where a reader resumes: after an id still in the buffer, or not (the id is too old, or from another run). */
export type Resume = { ok: true; cursor: Cursor } | { ok: false; reason: 'too-old' | 'unknown'; cursor: Cursor };

/** Events after `after`, in order; `lagged` when the buffer overwrote some the reader had not taken yet. */
export type Batch = { events: BusEvent[]; /** their frames in one chunk */ chunk: Uint8Array } | { lagged: true };

/** A reader's place in the buffer: nothing but the last id it took, so a slow reader costs no memory. */
export interface Cursor {
  after: number;
}

const DEFAULT_CAPACITY = 10_000;
/** A reader takes at most this many events at once, so one chunk stays small. */
const MAX_BATCH = 500;
/**
 * Readers are woken at most this often: a burst of events then costs each stream one chunk (one socket write)
 * instead of one per event, the difference between 100 streams costing 90 000 writes a second or 4 000 (bench:sse).
 */
const WAKE_EVERY_MS = 25;

/**
 * The in-process live event bus: ids increase (across restarts too: they start at boot time in µs, so an id
 * from an earlier run is always older than this run's oldest), the last `capacity` events are kept in a ring
 * for Last-Event-ID resume, and readers pull from it at their own pace. Publishing never waits for a reader: it
 * stores the event, updates the live state, calls the synchronous listeners (metrics, progress; they must be
 * O(1)) and schedules one wake-up of the waiting readers for a whole burst (WAKE_EVERY_MS).
 */
export class EventBus implements EventSink {
  private readonly ring: (BusEvent | undefined)[];
  private readonly firstId: number;
  private last: number;
  private readonly waiters = new Set<() => void>();
  private wakeQueued = false;
  private readonly listeners = new Set<(e: BusEvent) => void>();
  readonly state = new LiveState();
  /** Open SSE streams (for the limit and the metrics). */
  streams = 0;

  constructor(
    private readonly capacity = DEFAULT_CAPACITY,
    private readonly now: () => number = Date.now,
  ) {
    this.ring = new Array(capacity);
    this.firstId = Math.floor(now()) * 1000;
    this.last = this.firstId;
  }

  get lastId(): number {
    return this.last;
  }
  /** The oldest id still in the ring (lastId + 1 while empty). */
  get oldestId(): number {
    return Math.max(this.firstId + 1, this.last - this.capacity + 1);
  }

  publish(event: LiveEvent): void {
    const id = ++this.last;
    const at = this.now();
    const data = JSON.stringify({ ...event, at });
    const frame = Buffer.from(`id: ${id}\nevent: ${event.type}\ndata: ${data}\n\n`);
    const e: BusEvent = { id, at, event, frame };
    this.ring[id % this.capacity] = e;
    this.state.apply(event, at);
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // a listener's bug must not reach the call that published
      }
    }
    if (this.waiters.size && !this.wakeQueued) {
      this.wakeQueued = true;
      setTimeout(() => {
        this.wakeQueued = false;
        const ws = [...this.waiters];
        this.waiters.clear();
        for (const w of ws) w();
      }, WAKE_EVERY_MS);
    }
  }

  /** Synchronous listener, called in publish; must be cheap. Answers the unsubscribe function. */
  listen(fn: (e: BusEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** A cursor at the head (only new events), or after `lastEventId` when it is still in the ring. */
  resume(lastEventId?: number): Resume {
    const head = { after: this.last };
    if (lastEventId === undefined) return { ok: true, cursor: head };
    if (!Number.isSafeInteger(lastEventId) || lastEventId < 0 || lastEventId > this.last) return { ok: false, reason: 'unknown', cursor: head };
    if (lastEventId < this.oldestId - 1) return { ok: false, reason: 'too-old', cursor: head };
    return { ok: true, cursor: { after: lastEventId } };
  }

  /** What a reader at `cursor` has not taken yet (advancing it), filtered; at most MAX_BATCH events are looked at. */
  take(cursor: Cursor, filter?: EventFilter): Batch {
    if (cursor.after < this.oldestId - 1) return { lagged: true };
    const after = cursor.after;
    const end = Math.min(this.last, after + MAX_BATCH);
    cursor.after = end;
    // Unfiltered readers woken together sit at the same place: their chunk is built once for all of them.
    const shared = this.lastBatch;
    if (!filter && shared && shared.after === after && shared.end === end) return shared.batch;
    const events: BusEvent[] = [];
    for (let id = after + 1; id <= end; id++) {
      const e = this.ring[id % this.capacity]!;
      if (!filter || filter(e.event)) events.push(e);
    }
    const batch = { events, chunk: events.length === 1 ? events[0]!.frame : Buffer.concat(events.map((e) => e.frame)) };
    if (!filter) this.lastBatch = { after, end, batch };
    return batch;
  }
  private lastBatch: { after: number; end: number; batch: Batch } | undefined;

  /** Resolves when an event after `cursor` exists, or after `timeoutMs`, or at once when one already does. */
  wait(cursor: Cursor, timeoutMs: number): Promise<void> {
    if (cursor.after < this.last) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  snapshot(taskId?: number): LiveSnapshot {
    return this.state.snapshot(this.last, taskId);
  }
}
