import type { Hono } from 'hono';
import { campaignSummaries } from './campaigns.js';
import type { CockpitDeps } from './routes.js';

/** The cockpit's read-only endpoints (see api-types.ts for what each answers). */
export function cockpitDataRoutes(app: Hono, deps: CockpitDeps): void {
  app.get('/cockpit/api/campaigns', async (c) => c.json({ campaigns: await campaignSummaries(deps.ctx.db) }));
}
