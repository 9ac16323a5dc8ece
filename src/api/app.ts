import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { installAuth, LOGIN_PATH } from '../auth/index.js';
import { projectRoot } from '../project-root.js';
import { BASE, serviceCtx, type ApiDeps, type RouteDoc } from './deps.js';
import { coreError, NOT_FOUND, sendEnvelope } from './envelope.js';
import { listNodes, type NodeRow } from '../services/nodes/index.js';
import { createSettingsReader } from '../services/settings/index.js';
import { createCrmClient } from '../crm/index.js';
import { tooLargeMessage } from './multipart-file.js';
import { buildOpenApi } from './openapi.js';
import { EventBus } from '../events/bus.js';
import { isCockpitUpload } from '../web/file-routes.js';
import { installCockpit } from '../web/routes.js';
import { dncDocs, dncRoutes } from './routes/dnc.js';
import { eventDocs, eventRoutes } from './routes/events.js';
import { audioDocs, audioRoutes } from './routes/audio.js';
import { clientDocs, clientRoutes } from './routes/clients.js';
import { crmTestDocs, crmTestRoutes } from './routes/crm-test.js';
import { inboundDocs, inboundRoutes } from './routes/inbound.js';
import { pollingDocs, pollingRoutes } from './routes/pollings.js';
import { resultDocs, resultRoutes } from './routes/results.js';
import { settingsDocs, settingsRoutes } from './routes/settings.js';
import { taskDocs, taskRoutes } from './routes/tasks.js';
import { uploadXlsDocs, uploadXlsRoutes } from './routes/upload-xls.js';

export type { ApiDeps } from './deps.js';

const PACKAGE_VERSION: string = (() => {
  try {
    return JSON.parse(readFileSync(join(projectRoot(import.meta.url), 'package.json'), 'utf8')).version;
  } catch {
    return '0.0.0';
  }
})();

/**
 * The HTTP API: ModuleAutoDialer v1 routes under /pbxcore/api/module-dialer/v1, the MikoPBX login,
 * /health and /openapi.json. Routes validate and call services; services hold the rules and the SQL.
 */
export function createApp(given: ApiDeps): Hono {
  // One bus for the stream and every route that publishes (an app of its own in tests that bring none).
  const bus = given.events ?? new EventBus();
  const deps: ApiDeps = { ...given, events: bus };
  const { config } = deps;
  const version = deps.version ?? PACKAGE_VERSION;
  const log = deps.log.child({ area: 'http' });
  const app = new Hono();

  // One line per request.
  app.use('*', async (c, next) => {
    const start = performance.now();
    await next();
    log.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: +(performance.now() - start).toFixed(2) }, 'request');
  });

  // HTTP latency by route pattern, 401s and 404s included (so before auth).
  if (deps.metrics) app.use('*', deps.metrics.http);

  // Authentication before any body is read: an unauthenticated request never makes the server buffer one.
  installAuth(app, { config, log: deps.log, now: deps.nowMs });

  const tooLarge = (max: number) => (c: Context) =>
    sendEnvelope(c, false, [], [tooLargeMessage(max)], 413);
  // POST /audio streams its body to disk and POST /upload-xls reads it under a lower cap of its own, both counting
  // it as it comes (hono's bodyLimit buffers a chunked body whole to count it); a declared Content-Length over
  // the cap is refused before a byte is read.
  const uploadLimit = async (c: Context, next: () => Promise<void>) =>
    Number(c.req.header('content-length') ?? 0) > config.http.maxUploadBytes ? tooLarge(config.http.maxUploadBytes)(c) : next();
  const jsonLimit = bodyLimit({ maxSize: config.http.maxBodyBytes, onError: tooLarge(config.http.maxBodyBytes) });
  // Only methods whose body we read: touching c.req.raw.body on a GET makes @hono/node-server build a
  // full Request, which costs more than the whole GET /task/{id} handler.
  app.use('*', (c, next) => {
    const m = c.req.method;
    if (m !== 'POST' && m !== 'PUT' && m !== 'PATCH') return next();
    const streamed = c.req.path === `${BASE}/audio` || c.req.path === `${BASE}/upload-xls` || isCockpitUpload(c.req.path);
    return m === 'POST' && streamed ? uploadLimit(c, next) : jsonLimit(c, next);
  });

  const v1 = new Hono();
  taskRoutes(v1, deps);
  resultRoutes(v1, deps);
  pollingRoutes(v1, deps);
  audioRoutes(v1, deps);
  uploadXlsRoutes(v1, deps);
  clientRoutes(v1, deps);
  inboundRoutes(v1, deps);
  dncRoutes(v1, deps);
  // Settings written here are read by the calls through the same store, so a change applies to the next call.
  const settings = deps.settings ?? createSettingsReader(deps.db, config, deps.log);
  settingsRoutes(v1, settings);
  crmTestRoutes(v1, { settings, crm: deps.crm ?? createCrmClient({ settings, log: deps.log }), now: deps.now ?? (() => Date.now() / 1000) });
  // The 1C client probes GET /test to check its cookie (the original registered it without a handler).
  v1.get('/test', (c) => sendEnvelope(c, true, []));
  // The live event stream: under the API's auth (loopback, session cookie — what a browser's EventSource sends —
  // or a token).
  eventRoutes(v1, { bus, heartbeatMs: deps.sseHeartbeatMs });
  app.route(BASE, v1);
  // The operator's cockpit: a page and the summaries it reads (src/web), outside the v1 base.
  installCockpit(app, { ctx: serviceCtx(deps), events: bus, speech: deps.speech, dialer: deps.dialer });

  app.get('/health', async (c) => {
    let dbOk = true;
    let nodes: NodeRow[] = [];
    try {
      nodes = await listNodes(deps.db);
    } catch {
      dbOk = false;
    }
    const now = Date.now() / 1000; // leases are wall-clock times
    const dialer = deps.dialer.status();
    return c.json({
      ok: dbOk,
      version,
      simulator: dialer.simulator,
      ...(dialer.simulator ? { warning: 'ARI is the built-in simulator: no real calls are made' } : {}),
      db: { ok: dbOk, dialect: deps.db.dialect },
      // every dialer node sharing the database: alive while its lease runs, dialing while it is connected to its PBX
      nodes: nodes.map((n) => ({ id: n.id, host: n.host, epoch: n.epoch, alive: n.leaseUntil > now, dialing: n.dialing === 1 && n.leaseUntil > now })),
      dialer,
      memory: memoryMb(),
    });
  });

  // Prometheus text exposition, under the API's auth (it is not one of PUBLIC_PATHS): a local Prometheus needs
  // nothing, a remote one sends `Authorization: Bearer <DIALER_API_TOKENS token>`.
  const metrics = deps.metrics;
  if (metrics) {
    app.get('/metrics', async (c) => {
      const m = await metrics.scrape();
      return c.body(m.body, 200, { 'content-type': m.contentType });
    });
  }

  const docs: RouteDoc[] = [
    ...taskDocs,
    ...resultDocs,
    ...pollingDocs,
    ...audioDocs,
    ...uploadXlsDocs,
    ...clientDocs,
    ...inboundDocs,
    ...dncDocs,
    ...settingsDocs,
    ...crmTestDocs,
    ...eventDocs,
    ...(metrics
      ? [{ method: 'get', path: '/metrics', absolute: true, summary: 'Prometheus metrics (text exposition format): calls in flight, originates, results by code, answer ratio, ARI state, event-loop lag, HTTP latency. docs/cockpit.md', response: { contentType: 'text/plain; version=0.0.4', description: 'Prometheus exposition' } } satisfies RouteDoc]
      : []),
    { method: 'get', path: '/test', summary: 'Connectivity/auth probe used by the 1C client' },
    { method: 'post', path: LOGIN_PATH, summary: 'MikoPBX admin login (form login, password); sets the session cookie' },
    { method: 'get', path: '/health', summary: 'Liveness: version, database, dialer status (simulator flag), memory in MB' },
  ];
  const openapi = buildOpenApi(docs, version);
  app.get('/openapi.json', (c) => c.json(openapi));

  app.notFound((c) => coreError(c, 404, NOT_FOUND));
  app.onError((err, c) => {
    log.error({ err, method: c.req.method, path: c.req.path }, 'unhandled error');
    return sendEnvelope(c, false, [], ['Internal error'], 500);
  });
  return app;
}

/** The process's memory in MB, for operators watching /health: resident, V8 heap, and outside the heap. */
function memoryMb() {
  const m = process.memoryUsage();
  const mb = (n: number) => Math.round(n / 104857.6) / 10;
  return { rss: mb(m.rss), heapUsed: mb(m.heapUsed), heapTotal: mb(m.heapTotal), external: mb(m.external) };
}
