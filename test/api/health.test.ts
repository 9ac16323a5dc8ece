import { describe, expect, it } from 'vitest';
import { testApi } from './helpers.js';

describe('GET /health', () => {
  const t = testApi();
  it('reports the database, the dialer and the memory the process holds (MB)', async () => {
    const r = await t.call('GET', '/health');
    expect(r.json).toMatchObject({ ok: true, db: { ok: true }, dialer: { ari: 'connected' } });
    const m = r.json.memory;
    expect(m.rss).toBeGreaterThan(10);
    expect(m.heapUsed).toBeGreaterThan(1);
    expect(m.heapTotal).toBeGreaterThanOrEqual(m.heapUsed);
    expect(m.rss).toBeCloseTo(process.memoryUsage().rss / 1048576, -2);
  });
});
