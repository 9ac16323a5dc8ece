import { describe, expect, it } from 'vitest';
import { runAsteriskOutage } from './harness/outage.js';

/**
 * Asterisk restarts twice mid-campaign (a new simulator on the same port: calls in flight are gone). The
 * service reconnects by itself, records the lost calls, and finishes the campaign without double-dialing.
 * Full size: `npx tsx scripts/asterisk-restart.ts`.
 */
describe('Asterisk going away mid-campaign', () => {
  it('reconnects, reconciles the calls in flight and completes the campaign', async () => {
    const report = await runAsteriskOutage({
      numbers: 200,
      outages: 2,
      seed: 7,
      timeScale: 0.02,
      outageAfterMs: [500, 1500],
      downMs: [300, 1500],
      channelsPerTask: 20,
      doneTimeoutMs: 60_000,
    });
    expect(report.problems).toEqual([]);
    expect(report.outages.every((o) => o.callsLost > 0)).toBe(true);
    // every simulator lifetime carried calls: the campaign went on after each restart
    expect(report.callsPerLife.every((n) => n > 0)).toBe(true);
    expect(report.exitCode).toBe(0);
  }, 120_000);
});
