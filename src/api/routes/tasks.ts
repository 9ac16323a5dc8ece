import type { Hono } from 'hono';
import { fail } from '../../services/context.js';
import { signalClose } from '../../services/tasks/signal-close.js';
import { deleteTask, getTask, listTasks } from '../../services/tasks/queries.js';
import { upsertTask } from '../../services/tasks/upsert.js';
import { changeTask } from '../../services/tasks/update.js';
import { OWN_TASK_FIELDS, type TaskRow } from '../../services/results/columns.js';
import { v1SignalClosed, v1TaskEcho } from '../../services/results/v1.js';
import { readBody, validate } from '../body.js';
import { serviceCtx, type ApiDeps, type RouteDoc } from '../deps.js';
import { sendEnvelope, sendOutcome } from '../envelope.js';
import { pathId } from '../fields.js';
import { SignalCloseBody, TaskListQuery, TaskPostBody, TaskPutBody } from './tasks.schema.js';

export const taskDocs: RouteDoc[] = [
  { method: 'post', path: '/task', summary: 'Create or upsert a task (by crmId, else id) and merge its numbers', body: TaskPostBody },
  { method: 'get', path: '/task', summary: 'List tasks (state filter, keyset offset = id > offset, limit)', query: TaskListQuery },
  { method: 'get', path: '/task/{id}', summary: 'A task with results (every attempt) and resultsPoling' },
  { method: 'put', path: '/task/{id}', summary: 'Partial update (pause/resume/close…); crmId in the body is the lookup key', body: TaskPutBody },
  { method: 'delete', path: '/task/{id}', summary: 'Delete a task and its rows (idempotent)' },
  { method: 'post', path: '/task-signal-close', summary: 'Close the open rows of a phone (and its client) with SUCCESS_EXTERNAL_SIGNAL', body: SignalCloseBody },
];

const badId = (raw: string) => `Task id "${raw}" must be a positive integer`;

/**
 * POST/PUT answer: the saved task with the original's fields only, so a v1 client gets the answer it always got;
 * our own fields (amd…, retryRules) are read with GET /task/{id}.
 */
function savedEcho(row: TaskRow, sent: Parameters<typeof v1TaskEcho>[1]) {
  const echo: Partial<ReturnType<typeof v1TaskEcho>> = v1TaskEcho(row, sent);
  for (const k of OWN_TASK_FIELDS) delete echo[k];
  delete (echo as Record<string, unknown>).callbackUrl;
  return echo;
}

export function taskRoutes(app: Hono, deps: ApiDeps): void {
  const ctx = serviceCtx(deps);
  // A state set through the API (pause, resume, close, a new task) is news for the cockpit and every other
  // watcher of the event stream, as the dialer's own closing of a finished task is.
  const stateChanged = (row: TaskRow, sent: { state?: unknown }) => {
    if (sent.state !== undefined) deps.events?.publish({ type: 'task.state', taskId: Number(row.id), state: Number(row.state) });
  };

  app.post('/task', async (c) => {
    const body = await readBody(c, TaskPostBody);
    if (!body.ok) return sendOutcome(c, fail(body.messages));
    const out = await upsertTask(ctx, body.value);
    if (out.ok) {
      deps.dialer.tasksChanged([out.data.id]);
      stateChanged(out.data, { state: 'new or changed' });
    }
    return sendOutcome(c, out.ok ? { ...out, data: savedEcho(out.data, body.value) } : out);
  });

  app.get('/task', async (c) => {
    const q = validate(TaskListQuery, c.req.query());
    if (!q.ok) return sendOutcome(c, fail(q.messages));
    return sendEnvelope(c, true, { results: await listTasks(ctx, q.value) });
  });

  app.get('/task/:id', async (c) => {
    const id = pathId(c.req.param('id'));
    if (id === null) return sendOutcome(c, fail(badId(c.req.param('id'))));
    return sendOutcome(c, await getTask(ctx, id));
  });

  app.put('/task/:id', async (c) => {
    const body = await readBody(c, TaskPutBody);
    if (!body.ok) return sendOutcome(c, fail(body.messages));
    const out = await changeTask(ctx, pathId(c.req.param('id')), body.value);
    if (out.ok) {
      deps.dialer.tasksChanged([out.data.id]);
      stateChanged(out.data, body.value);
    }
    return sendOutcome(c, out.ok ? { ...out, data: savedEcho(out.data, body.value) } : out);
  });

  app.delete('/task/:id', async (c) => {
    const id = pathId(c.req.param('id'));
    if (id === null) return sendOutcome(c, fail(badId(c.req.param('id'))));
    const { deleted } = await deleteTask(ctx, id);
    if (deleted) deps.dialer.tasksChanged([id]);
    return sendEnvelope(c, true, []);
  });

  app.post('/task-signal-close', async (c) => {
    const body = await readBody(c, SignalCloseBody);
    if (!body.ok) return sendOutcome(c, fail(body.messages));
    const out = await signalClose(ctx, body.value);
    if (out.ok && out.data.taskIds.length) deps.dialer.tasksChanged(out.data.taskIds);
    return sendOutcome(c, out.ok ? { ...out, data: v1SignalClosed(out.data) } : out);
  });
}
