import type { Hono } from 'hono';
import { fail } from '../../services/context.js';
import { RawJson } from '../../raw-json.js';
import { pollingResultsSince, resultsSince } from '../../services/results/index.js';
import { serviceCtx, type ApiDeps, type RouteDoc } from '../deps.js';
import { sendEnvelope, sendOutcome } from '../envelope.js';

export const resultDocs: RouteDoc[] = [
  { method: 'get', path: '/results/{changeTime}', summary: 'Task result rows with changeTime >= t (unix seconds, fractional allowed), max 10000' },
  { method: 'get', path: '/polling-results/{changeTime}', summary: 'Polling answers with changeTime >= t, max 10000' },
];

/** changeTime in the path: unix seconds, fractions allowed. */
function parseSince(raw: string): number | null {
  if (!/^\d{1,12}(\.\d{1,9})?$/.test(raw)) return null;
  return Number(raw);
}
const badSince = (raw: string) => `changeTime "${raw}" must be a unix timestamp in seconds (fractions allowed)`;

export function resultRoutes(app: Hono, deps: ApiDeps): void {
  const ctx = serviceCtx(deps);
  app.get('/results/:changeTime', (c) => {
    const since = parseSince(c.req.param('changeTime'));
    if (since === null) return sendOutcome(c, fail(badSince(c.req.param('changeTime'))));
    return sendEnvelope(c, true, RawJson.object({ results: resultsSince(ctx, since) }));
  });
  app.get('/polling-results/:changeTime', (c) => {
    const since = parseSince(c.req.param('changeTime'));
    if (since === null) return sendOutcome(c, fail(badSince(c.req.param('changeTime'))));
    return sendEnvelope(c, true, RawJson.object({ results: pollingResultsSince(ctx, since) }));
  });
}
