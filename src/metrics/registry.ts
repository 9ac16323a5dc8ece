import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DialerStatus } from '../ports.js';

/** Result codes are a fixed set; anything else (never expected) is counted as OTHER so labels stay bounded. */
export const resultLabel = (result: string) => (/^[A-Z][A-Z_]{0,39}$/.test(result) ? result : 'OTHER');

/**
 * The service's Prometheus registry: Node's default metrics (event-loop lag, heap, GC…), the dialer's (calls in
 * flight and ARI state read from status() at scrape time; originates, answers and results counted from the live
 * events) and HTTP latency. One per process, made by the composition root (tests make their own).
 */
export function createMetricsRegistry(o: { status: () => DialerStatus; sseClients: () => number; defaults?: boolean }) {
  const registry = new Registry();
  if (o.defaults !== false) collectDefaultMetrics({ register: registry });

  const originates = new Counter({ name: 'autodialer_originates_total', help: 'Customer originates sent', registers: [registry] });
  const answered = new Counter({ name: 'autodialer_calls_answered_total', help: 'Customer legs answered', registers: [registry] });
  const results = new Counter({
    name: 'autodialer_call_results_total',
    help: 'Attempts recorded by this node, by result code',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'autodialer_calls_in_flight',
    help: 'Calls of this node from claim until their channels are gone',
    registers: [registry],
    collect() {
      this.set(o.status().callsInFlight);
    },
  });
  new Gauge({
    name: 'autodialer_ari_connected',
    help: '1 while the ARI event socket is up, else 0',
    registers: [registry],
    collect() {
      this.set(o.status().ari === 'connected' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'autodialer_answer_ratio',
    help: 'Answered / originated customer legs since start (0 before the first originate)',
    registers: [registry],
    async collect() {
      const sent = (await originates.get()).values[0]?.value ?? 0;
      const ok = (await answered.get()).values[0]?.value ?? 0;
      this.set(sent > 0 ? ok / sent : 0);
    },
  });
  new Gauge({
    name: 'autodialer_sse_clients',
    help: 'Open live event streams',
    registers: [registry],
    collect() {
      this.set(o.sseClients());
    },
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status (the live event stream excluded)',
    labelNames: ['method', 'route', 'status'] as const,
    // OpenTelemetry's default HTTP buckets, 5 ms .. 10 s
    buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
    registers: [registry],
  });

  return { registry, originates, answered, results, httpDuration };
}

export type MetricsRegistry = ReturnType<typeof createMetricsRegistry>;
