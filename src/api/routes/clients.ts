import type { Hono } from 'hono';
import { z } from 'zod';
import { fail } from '../../services/context.js';
import { clientPropertiesByPhone, deleteClient } from '../../services/clients/queries.js';
import { saveClients } from '../../services/clients/save.js';
import { formatIssues, readJson } from '../body.js';
import { serviceCtx, type ApiDeps, type RouteDoc } from '../deps.js';
import { sendEnvelope, sendOutcome } from '../envelope.js';
import { hasNoNul, keep, NO_NUL, textField } from '../fields.js';

/**
 * Request schema of POST /client (also feeds /openapi.json): an array of clients. Numbers are checked and
 * normalised by the service, so a bad one is named with its index and the reason the task API gives.
 */
const ClientProperty = z.object({
  key: textField(100).pipe(
    z
      .string()
      .trim()
      .min(1, { error: 'is required' })
      // A key is used as the `<KEY>` placeholder of question texts: angle brackets would never match.
      .regex(/^[^<>]*$/, { error: 'must not contain < or >' }),
  ),
  value: keep(z.union([z.string(), z.number(), z.boolean()], { error: 'must be a string or a number' }))
    .transform((v) => (v === undefined ? '' : String(v)))
    .pipe(z.string().max(4000, { error: 'must be at most 4000 characters' }).refine(hasNoNul, NO_NUL)),
});

const ClientBody = z.object({
  crmId: textField(200).pipe(z.string().trim().min(1, { error: 'is required' })),
  name: keep(textField(1000)),
  phones: keep(z.array(z.unknown(), { error: 'must be an array of numbers' }).max(1000, { error: 'must have at most 1000 numbers' })),
  properties: keep(z.array(ClientProperty, { error: 'must be an array of {key, value}' }).max(1000, { error: 'must have at most 1000 properties' })),
});

export const ClientsBody = z.array(ClientBody, { error: 'must be an array of clients' }).max(100_000, { error: 'must have at most 100000 clients' });

export const clientDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/client',
    summary: 'Create or update clients by crmId: [{crmId, name, phones, properties:[{key, value}]}]; all or nothing',
    body: ClientsBody,
  },
  { method: 'delete', path: '/client/{crmId}', summary: 'Delete a client with its numbers and properties (idempotent)' },
  { method: 'get', path: '/client-by-phone/{phone}', summary: 'The properties [{key, value}] of the client with that number, NAME first; [] when none' },
];

export function clientRoutes(app: Hono, deps: ApiDeps): void {
  const ctx = serviceCtx(deps);

  app.post('/client', async (c) => {
    const raw = await readJson(c);
    if (!raw.ok) return sendOutcome(c, fail(raw.messages));
    // The documented body is an array; one client object is taken as an array of one.
    const value = raw.value !== null && typeof raw.value === 'object' && !Array.isArray(raw.value) ? [raw.value] : raw.value;
    const parsed = ClientsBody.safeParse(value);
    if (!parsed.success) {
      return sendOutcome(c, fail(formatIssues(parsed.error.issues.map((i) => ({ ...i, path: ['clients', ...i.path] })))));
    }
    return sendOutcome(c, await saveClients(ctx, parsed.data));
  });

  app.delete('/client/:crmId', async (c) => {
    await deleteClient(ctx, c.req.param('crmId'));
    return sendEnvelope(c, true, []);
  });

  app.get('/client-by-phone/:phone', async (c) => sendOutcome(c, await clientPropertiesByPhone(ctx, c.req.param('phone'))));
}
