import { describe, expect, it } from 'vitest';
import { runNodesCrashTest } from '../faults/harness/nodes-crash.js';
import { postgresServer } from '../helpers/env.js';
import { freshDatabase } from '../helpers/postgres.js';

/**
 * CI-sized crash test of three dialer nodes on one PostgreSQL, each with its own simulated PBX: nodes SIGKILLed at
 * seeded random moments, some back at once, some after their lease ran out, the last one never. The full-size run
 * (100 000 numbers) is `npm run faults:nodes`.
 */
describe('three dialer nodes, one PostgreSQL, nodes killed', () => {
  it('no number in two calls at once or dialed twice, maxCountChannels held across nodes, every number terminal and in /results', async () => {
    const report = await runNodesCrashTest({
      databaseUrl: await freshDatabase(postgresServer()!),
      numbers: 3000,
      kills: 4,
      seed: 7,
      timeScale: 0.02,
      killAfterMs: [1500, 4000],
      leaseSeconds: 2,
      channelsPerTask: 20,
      doneTimeoutMs: 150_000,
    });
    expect(report.problems).toEqual([]);
    // the kills really hit calls in flight, and peers really took calls over
    expect(report.kills.filter((k) => k.callsUp > 0).length).toBeGreaterThanOrEqual(2);
    expect(report.figures.numbers).toBe(3000);
    expect(report.figures.resultsFromApi).toBe(report.figures.rows);
    for (const n of ['n1', 'n2', 'n3']) expect(Number(report.figures[`calls on ${n}'s PBX`])).toBeGreaterThan(0);
  }, 240_000);
});
