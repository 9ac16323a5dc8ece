import type { EventBus } from '../events/bus.js';
import type { DialerStatus } from '../ports.js';
import { httpMetrics } from './http.js';
import { createMetricsRegistry, resultLabel, type MetricsRegistry } from './registry.js';

export interface Metrics {
  /** The Hono middleware timing HTTP requests. */
  http: ReturnType<typeof httpMetrics>;
  /** The exposition text and its content type, for GET /metrics. */
  scrape(): Promise<{ contentType: string; body: string }>;
  registry: MetricsRegistry;
  stop(): void;
}

/** The metrics of the service: the registry, fed by the bus (call counters) and read by the middleware and /metrics. */
export function createMetrics(o: { bus: EventBus; status: () => DialerStatus; defaults?: boolean }): Metrics {
  const m = createMetricsRegistry({ status: o.status, sseClients: () => o.bus.streams, defaults: o.defaults });
  const off = o.bus.listen(({ event: e }) => {
    if (e.type === 'call.started') m.originates.inc();
    else if (e.type === 'call.answered') m.answered.inc();
    else if (e.type === 'call.ended' && e.result !== '') m.results.inc({ result: resultLabel(e.result) });
  });
  return {
    http: httpMetrics(m),
    registry: m,
    async scrape() {
      return { contentType: m.registry.contentType, body: await m.registry.metrics() };
    },
    stop: off,
  };
}
