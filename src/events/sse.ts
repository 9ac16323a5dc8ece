import type { EventBus, EventFilter, Cursor } from './bus.js';

export interface SseOptions {
  /** Last-Event-ID the client sent (header, or the lastEventId query parameter). */
  lastEventId?: number;
  /** Only the events of this task (call.*, task.*); the snapshot keeps the ARI state and the agents. */
  taskId?: number;
  /** A comment line after this long without an event, so proxies and the client see the stream alive. */
  heartbeatMs: number;
}

const encoder = new TextEncoder();
/** Browsers wait this long before reconnecting. */
const RETRY_MS = 3000;

/**
 * The SSE body of one client, pulled at the pace its socket takes it (@hono/node-server reads the next chunk
 * only after the previous one was written): the client holds a cursor into the bus's ring, nothing else, so a
 * slow client never slows the publisher and costs no memory. One that falls out of the ring skips: it gets
 * `reset` and a fresh `snapshot`, and goes on from there (as does one whose Last-Event-ID is unknown or too old;
 * never a silent gap). A fresh client (no Last-Event-ID) starts with a `snapshot`; a resuming one gets exactly
 * the events after its id.
 */
export function sseStream(bus: EventBus, o: SseOptions): ReadableStream<Uint8Array> {
  const filter: EventFilter | undefined =
    o.taskId === undefined ? undefined : (e) => 'taskId' in e && e.taskId === o.taskId;
  let cursor: Cursor;
  let closed = false;
  let lastSent = Date.now();
  bus.streams++;
  const send = (controller: ReadableStreamDefaultController<Uint8Array>, chunk: Uint8Array) => {
    lastSent = Date.now();
    controller.enqueue(chunk);
  };

  const snapshotFrame = (reason?: string) => {
    const snap = bus.snapshot(o.taskId);
    cursor = { after: snap.lastId };
    const reset = reason ? `event: reset\ndata: ${JSON.stringify({ reason })}\n\n` : '';
    return `${reset}id: ${snap.lastId}\nevent: snapshot\ndata: ${JSON.stringify(snap)}\n\n`;
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const r = bus.resume(o.lastEventId);
        let head = `retry: ${RETRY_MS}\n\n`;
        if (!r.ok) head += snapshotFrame(r.reason);
        else if (o.lastEventId === undefined) head += snapshotFrame();
        else cursor = r.cursor;
        controller.enqueue(encoder.encode(head));
      },
      async pull(controller) {
        for (;;) {
          if (closed) return;
          const batch = bus.take(cursor, filter);
          if ('lagged' in batch) return send(controller, encoder.encode(snapshotFrame('lagged')));
          if (batch.events.length) return send(controller, batch.chunk);
          // Nothing for this client yet (or only other tasks' events): wait, but never longer than a heartbeat.
          const quiet = Date.now() - lastSent;
          if (quiet >= o.heartbeatMs) return send(controller, encoder.encode(': keepalive\n\n'));
          await bus.wait(cursor, o.heartbeatMs - quiet);
        }
      },
      cancel() {
        if (closed) return;
        closed = true;
        bus.streams--;
      },
    },
    { highWaterMark: 0 },
  );
}
