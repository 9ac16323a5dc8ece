import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { MetricsRegistry } from './registry.js';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Times every request into http_request_duration_seconds, labelled by the route *pattern* the request matched
 * (`/pbxcore/api/module-dialer/v1/task/:id`, never the path: bounded cardinality), or `unmatched`. The live
 * event stream is left out: its handler answers at once and the stream then lasts for hours.
 */
export function httpMetrics(m: MetricsRegistry): MiddlewareHandler {
  return async (c, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      if (!c.res.headers.get('content-type')?.startsWith('text/event-stream')) {
        // the last matched route that is a handler (app.use registers middleware as method ALL)
        const route = matchedRoutes(c).filter((r) => r.method !== 'ALL').at(-1)?.path ?? 'unmatched';
        const method = METHODS.has(c.req.method) ? c.req.method : 'OTHER';
        m.httpDuration.observe({ method, route, status: String(c.res.status) }, (performance.now() - start) / 1000);
      }
    }
  };
}
