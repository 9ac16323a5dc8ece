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

/**
 * changeTime in the path: unix seconds, fractions allowed. A whole number is taken one second earlier: changeTime
 * values carry fractions, and a client that keeps the last one it saw in a whole-number field (1C's register
 * does) has rounded it, possibly up, past rows of that second it never received. The bound is inclusive anyway,
 * so the price is a few rows seen twice (de-duplicated by id, as the original's inclusive bound already needs).
 */
function parseSince(raw: string): number | null {
  const m = /^\d{1,12}(\.\d{1,9})?$/.exec(raw);
  if (!m) return null;
  return m[1] ? Number(raw) : Math.max(0, Number(raw) - 1);
}
const badSince = (raw: string) => `changeTime "${raw}" must be a unix timestamp in seconds (fractions allowed)`;

export function resultRoutes(app: Hono, deps: ApiDeps): void {
  const ctx = serviceCtx(deps);
  app.get('/results/:changeTime', async (c) => {
    const since = parseSince(c.req.param('changeTime'));
    if (since === null) return sendOutcome(c, fail(badSince(c.req.param('changeTime'))));
    return sendEnvelope(c, true, RawJson.object({ results: await resultsSince(ctx, since) }));
  });
  app.get('/polling-results/:changeTime', async (c) => {
    const since = parseSince(c.req.param('changeTime'));
    if (since === null) return sendOutcome(c, fail(badSince(c.req.param('changeTime'))));
    return sendEnvelope(c, true, RawJson.object({ results: await pollingResultsSince(ctx, since) }));
  });
}
