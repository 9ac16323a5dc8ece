import type { Hono } from 'hono';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';
import { cockpitScript } from './bundle.js';
import { campaignSummaries } from './campaigns.js';
import { COCKPIT_HTML } from './page.js';

/**
 * The operator's cockpit: the page (/cockpit), its script, and the summaries it reads (/cockpit/api/…, same auth
 * as the API: loopback free, else the session cookie of the login form or a token). Live updates come from the
 * event stream; the page re-reads the summaries when events say something changed.
 */
export function installCockpit(app: Hono, deps: { db: Db; log: Logger }): void {
  app.get('/cockpit', (c) => c.html(COCKPIT_HTML));
  app.get('/cockpit/app.js', async (c) => {
    try {
      const js = await cockpitScript();
      return c.body(js, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
    } catch (err) {
      deps.log.error({ err }, 'could not bundle the cockpit page');
      return c.text('the cockpit page could not be built; see the service log', 500);
    }
  });
  app.get('/cockpit/api/campaigns', async (c) => c.json({ campaigns: await campaignSummaries(deps.db) }));
}
