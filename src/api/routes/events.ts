import type { Hono } from 'hono';
import { z } from 'zod';
import type { EventBus } from '../../events/bus.js';
import { sseStream } from '../../events/sse.js';
import type { RouteDoc } from '../deps.js';
import { sendEnvelope } from '../envelope.js';

/** Open streams beyond this are refused (503): each holds a socket. */
const MAX_STREAMS = 1000;
const HEARTBEAT_MS = 15_000;

const EventsQuery = z.object({
  taskId: z.string().regex(/^\d{1,15}$/).optional().describe('Only the events of this task (call.*, task.*)'),
  lastEventId: z.string().regex(/^\d{1,16}$/).optional().describe('Resume after this event id (for clients that cannot send the Last-Event-ID header)'),
});

export const eventDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/events',
    summary:
      'Live events (ours), Server-Sent Events: `id:` (increasing), `event:` = type (call.started, call.answered, call.ended, ' +
      'task.progress, task.state, agent.state, ari.connection), `data:` = the event as JSON with `at` (ms since the epoch). ' +
      'A new client first gets `snapshot` (calls in flight, tasks, agents, ARI state); with Last-Event-ID (header or ' +
      'lastEventId) exactly the events after it, or `reset` then `snapshot` when that id is no longer kept. ' +
      'A `: keepalive` comment every 15 s. docs/cockpit.md',
    query: EventsQuery,
    headers: [{ name: 'Last-Event-ID', description: 'Resume after this event id' }],
    response: { contentType: 'text/event-stream', description: 'The event stream (never ends by itself)' },
  },
];

export function eventRoutes(app: Hono, deps: { bus: EventBus; heartbeatMs?: number }): void {
  app.get('/events', (c) => {
    const q = EventsQuery.safeParse({ taskId: c.req.query('taskId'), lastEventId: c.req.query('lastEventId') });
    if (!q.success) return sendEnvelope(c, false, [], ['taskId and lastEventId must be whole numbers'], 400);
    const header = c.req.header('last-event-id')?.trim();
    const raw = header || q.data.lastEventId;
    // an id that is not ours (not a number) is an unknown id: reset and snapshot, never a silent gap
    const lastEventId = raw === undefined ? undefined : /^\d{1,16}$/.test(raw) ? Number(raw) : -1;
    if (deps.bus.streams >= MAX_STREAMS) return sendEnvelope(c, false, [], ['Too many open event streams'], 503);
    const body = sseStream(deps.bus, {
      lastEventId,
      taskId: q.data.taskId === undefined ? undefined : Number(q.data.taskId),
      heartbeatMs: deps.heartbeatMs ?? HEARTBEAT_MS,
    });
    return c.body(body, 200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      // no content-length: @hono/node-server then streams it as it comes (chunked)
      'transfer-encoding': 'chunked',
      'x-accel-buffering': 'no', // nginx: pass events on at once
    });
  });
}
