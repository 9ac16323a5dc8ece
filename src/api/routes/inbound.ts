import type { Hono } from 'hono';
import { z } from 'zod';
import { fail } from '../../services/context.js';
import { badExten, deleteInbound, EXTEN_RE, getInbound, listInbound, putInbound } from '../../services/inbound/index.js';
import { readBody } from '../body.js';
import { serviceCtx, type ApiDeps, type RouteDoc } from '../deps.js';
import { sendEnvelope, sendOutcome } from '../envelope.js';
import { keep, textField } from '../fields.js';

/** A polling's internal id; omitted, null, "" or 0 = none (callers of that kind are not answered). */
const pollingId = z.preprocess(
  (v) => (v === null || v === 0 || (typeof v === 'string' && /^\s*0*\s*$/.test(v)) ? undefined : typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
  z.number({ error: 'must be a polling id (a positive integer) or empty' }).int({ error: 'must be a polling id (a positive integer) or empty' }).min(1).max(Number.MAX_SAFE_INTEGER).optional(),
);

export const InboundBody = z.object({
  name: keep(textField(200)),
  okPollingId: pollingId,
  failPollingId: pollingId,
});

export const inboundDocs: RouteDoc[] = [
  { method: 'get', path: '/inbound', summary: 'Inbound poll numbers (ours, not in the original API): data.results [{id, exten, name, okPollingId, failPollingId}]' },
  { method: 'get', path: '/inbound/{exten}', summary: 'One inbound poll number' },
  {
    method: 'put',
    path: '/inbound/{exten}',
    summary: 'Set an inbound poll number: a known caller (found by POST /client numbers) gets okPollingId, others failPollingId',
    body: InboundBody,
  },
  { method: 'delete', path: '/inbound/{exten}', summary: 'Remove an inbound poll number (idempotent)' },
];

export function inboundRoutes(app: Hono, deps: ApiDeps): void {
  const ctx = serviceCtx(deps);
  const exten = (raw: string) => (EXTEN_RE.test(raw) ? raw : null);

  app.get('/inbound', async (c) => sendEnvelope(c, true, { results: await listInbound(ctx) }));

  app.get('/inbound/:exten', async (c) => {
    const e = exten(c.req.param('exten'));
    return sendOutcome(c, e === null ? fail(badExten(c.req.param('exten'))) : await getInbound(ctx, e));
  });

  app.put('/inbound/:exten', async (c) => {
    const e = exten(c.req.param('exten'));
    if (e === null) return sendOutcome(c, fail(badExten(c.req.param('exten'))));
    const body = await readBody(c, InboundBody);
    if (!body.ok) return sendOutcome(c, fail(body.messages));
    return sendOutcome(c, await putInbound(ctx, e, body.value));
  });

  app.delete('/inbound/:exten', async (c) => {
    const e = exten(c.req.param('exten'));
    if (e === null) return sendOutcome(c, fail(badExten(c.req.param('exten'))));
    await deleteInbound(ctx, e);
    return sendEnvelope(c, true, []);
  });
}
