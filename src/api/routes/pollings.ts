import type { Hono } from 'hono';
import { fail } from '../../services/context.js';
import { deletePolling, getPolling, listPollings } from '../../services/pollings/queries.js';
import { savePolling } from '../../services/pollings/save.js';
import { v1IdRow, v1PollingSaved } from '../../services/results/v1.js';
import { readBody } from '../body.js';
import { serviceCtx, type ApiDeps, type RouteDoc } from '../deps.js';
import { sendEnvelope, sendOutcome } from '../envelope.js';
import { pathId } from '../fields.js';
import { PollingBody } from './pollings.schema.js';

export const pollingDocs: RouteDoc[] = [
  { method: 'post', path: '/polling', summary: 'Create or upsert a polling by crmId; replaces its questions and presses', body: PollingBody },
  { method: 'get', path: '/polling', summary: 'List pollings as data.results [{id, crmId, name}]' },
  { method: 'get', path: '/polling/{id}', summary: 'A polling with nested questions and press' },
  { method: 'delete', path: '/polling/{id}', summary: 'Delete a polling with its questions and presses (idempotent)' },
];

const badId = (raw: string) => `Polling id "${raw}" must be a positive integer`;

export function pollingRoutes(app: Hono, deps: ApiDeps): void {
  const ctx = serviceCtx(deps);

  app.post('/polling', async (c) => {
    const body = await readBody(c, PollingBody);
    if (!body.ok) return sendOutcome(c, fail(body.messages));
    const out = await savePolling(ctx, deps.prompts, body.value);
    // an empty crmId was assigned by the server: answered as a number, like the seed's example
    return sendOutcome(c, out.ok ? { ...out, data: v1PollingSaved(out.data, !body.value.crmId?.trim()) } : out);
  });

  app.get('/polling', async (c) => sendEnvelope(c, true, { results: (await listPollings(ctx)).map(v1IdRow) }));

  app.get('/polling/:id', async (c) => {
    const id = pathId(c.req.param('id'));
    if (id === null) return sendOutcome(c, fail(badId(c.req.param('id'))));
    return sendOutcome(c, await getPolling(ctx, id));
  });

  app.delete('/polling/:id', async (c) => {
    const id = pathId(c.req.param('id'));
    if (id === null) return sendOutcome(c, fail(badId(c.req.param('id'))));
    await deletePolling(ctx, id);
    return sendEnvelope(c, true, []);
  });
}
