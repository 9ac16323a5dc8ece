import { createHash } from 'node:crypto';
import type { Hono } from 'hono';
import type { SpeechPreview } from '../api/deps.js';
import type { EventBus } from '../events/bus.js';
import type { ServiceCtx } from '../services/context.js';
import type { DialerControl } from '../ports.js';
import { cockpitScript } from './bundle.js';
import { cockpitDataRoutes } from './data-routes.js';
import { cockpitFileRoutes } from './file-routes.js';
import { COCKPIT_HTML } from './page.js';

let tagged: { js: string; tag: string } | undefined;
/** The script's ETag: a hash of it, computed once per bundle (the bundle is built once per process). */
function scriptTag(js: string): string {
  if (tagged?.js !== js) tagged = { js, tag: `"${createHash('sha1').update(js).digest('base64url')}"` };
  return tagged.tag;
}

export interface CockpitDeps {
  ctx: ServiceCtx;
  /** The live event bus (the page reads it through GET /events; services here may publish to it). */
  events: EventBus;
  speech?: SpeechPreview;
  /** Told when an import added numbers to a task, so an idle task starts dialing them at once. */
  dialer?: DialerControl;
}

/**
 * The operator's cockpit: the page (/cockpit), its script, and the endpoints only it reads (/cockpit/api/…,
 * same auth as the API: loopback free, else the session cookie of the login form or a token). What the v1 API
 * already does (tasks, pollings, audio, do-not-call list) the page does through the v1 API.
 */
export function installCockpit(app: Hono, deps: CockpitDeps): void {
  app.get('/cockpit', (c) => c.html(COCKPIT_HTML));
  app.get('/cockpit/app.js', async (c) => {
    try {
      const js = await cockpitScript();
      // revalidated on every load (never a stale page after an upgrade), answered 304 while unchanged: the
      // browser then reuses the script and its compiled code
      const etag = scriptTag(js);
      if (c.req.header('if-none-match') === etag) return c.body(null, 304, { etag, 'cache-control': 'no-cache' });
      return c.body(js, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache', etag });
    } catch (err) {
      deps.ctx.log.error({ err }, 'could not bundle the cockpit page');
      return c.text('the cockpit page could not be built; see the service log', 500);
    }
  });
  // numbers, attempts, answers, summaries (read-only, fast with a million numbers)
  cockpitDataRoutes(app, deps);
  // import / export of numbers and results, TTS preview
  cockpitFileRoutes(app, deps);
}
