import { describe, expect, it } from 'vitest';
import { runSigterm } from './harness/sigterm.js';

/**
 * SIGTERM while calls are up (bridged agent calls that would last 600 s, surveys, a queue of numbers still to
 * dial). Full size: `npx tsx scripts/sigterm-drain.ts`.
 */
describe('SIGTERM with calls up', () => {
  it('starts no new call, drains or hangs up at the deadline, records every outcome, exits 0; a restart finishes the rest', async () => {
    const deadlineSeconds = 40;
    const timeScale = 0.05;
    const r = await runSigterm({ timeScale, deadlineSeconds, longPerAgent: 3, quick: 40, agents: ['201', '202', '203'] });
    expect(r.problems).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.bridgedAtSignal).toBe(3);
    // the long calls outlive the deadline, so the exit waits for it, then hangs them up promptly
    expect(r.exitAfterMs).toBeGreaterThanOrEqual(r.deadlineMs);
    expect(r.exitAfterMs).toBeLessThan(r.deadlineMs + 8000);
    expect(r.drainedBeforeDeadline).toBeGreaterThan(0); // short calls finished on their own
    expect(r.hungUpAtDeadline).toBeGreaterThanOrEqual(3); // the three bridged calls (customers …7) were cut at the deadline
    // neither party hung up a call we cut: SUCCESS, not SUCCESS_CLIENT_H / SUCCESS_USER_H
    expect(r.cutResults.filter((x) => x === 'SUCCESS')).toHaveLength(3);
    expect(r.cutResults.filter((x) => x.endsWith('_H'))).toEqual([]);
    expect(r.notYetDialed).toBeGreaterThan(0); // numbers left for later were neither dialed nor dropped
    expect(r.completedAfterRestart).toBe(true);
  }, 90_000);
});
