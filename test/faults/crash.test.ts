import { describe, expect, it } from 'vitest';
import { runCrashTest } from './harness/crash.js';

/**
 * CI-sized crash test: the service (a real child process running stasis/main.ts) is SIGKILLed three times at
 * seeded random moments during a campaign on the simulator and restarted each time. The full-size run is
 * `npx tsx scripts/crash-test.ts --numbers 10000 --kills 5`.
 */
describe('SIGKILL during a campaign', () => {
  it('never double-dials, never overlaps a number, never loses one; the results API shows every row', async () => {
    const report = await runCrashTest({
      numbers: 400,
      kills: 3,
      seed: 5,
      timeScale: 0.02,
      killAfterMs: [600, 2500],
      channelsPerTask: 25,
      doneTimeoutMs: 60_000,
    });
    expect(report.problems).toEqual([]);
    // the kills really hit calls in flight (otherwise the test proves little)
    expect(report.kills.filter((k) => k.callsUp > 0).length).toBeGreaterThanOrEqual(2);
    expect(report.figures.numbers).toBe(400);
    expect(report.figures.resultsFromApi).toBe(report.figures.rows);
    expect(report.exitCode).toBe(0);
  }, 150_000);
});
