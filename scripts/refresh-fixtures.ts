/**
 * `npm run fixtures:refresh`: re-records test/sim/fixtures/recorded-*.json from a real Asterisk 22.
 * Starts a private PBX with the test harness (test/asterisk/pbx.ts), plays every scenario of
 * test/fidelity/scenarios.ts that names a fixture RUNS times, writes the fixtures, stops the PBX.
 * Per fixture, every distinct set of per-half sequences seen is kept, most frequent first (known order races are
 * folded first, see test/fidelity/compare.ts; what is left, e.g. create + dial to an unallocated number ending
 * with cause 1 or 16, is Asterisk's own variance); the cross-half orders kept are those that held in every run.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPbx } from '../test/asterisk/pbx.js';
import { FIXTURE_DIR, halvesOf, stableOrders, type Halves, type OrderPairs } from '../test/fidelity/fixtures.js';
import { runScenarios, type ScenarioResult } from '../test/fidelity/runner.js';
import { SCENARIOS } from '../test/fidelity/scenarios.js';

const RUNS = Number(process.env.FIXTURE_RUNS ?? 6);

async function main(): Promise<void> {
  const recorded = SCENARIOS.filter((s) => s.fixture);
  const pbx = await startPbx();
  const runs: Record<string, ScenarioResult[]> = {};
  try {
    for (let i = 0; i < RUNS; i++) {
      process.stdout.write(`recording run ${i + 1}/${RUNS} (${recorded.length} scenarios) on ${pbx.url}\n`);
      const results = await runScenarios(pbx, SCENARIOS, { only: (s) => !!s.fixture });
      for (const s of recorded) (runs[s.fixture!] ??= []).push(results[s.name]!);
    }
  } finally {
    await pbx.destroy();
  }
  const sequences: Record<string, Halves[]> = {};
  const orders: Record<string, OrderPairs> = {};
  const problems: string[] = [];
  for (const [fixture, rs] of Object.entries(runs)) {
    const failed = rs.find((r) => r.error);
    if (failed) problems.push(`${fixture}: ${failed.error}`);
    const count = new Map<string, number>();
    for (const r of rs) count.set(JSON.stringify(halvesOf(r)), (count.get(JSON.stringify(halvesOf(r))) ?? 0) + 1);
    sequences[fixture] = [...count].sort((a, b) => b[1] - a[1]).map(([v]) => JSON.parse(v) as Halves);
    if (count.size > 1) process.stdout.write(`${fixture}: ${count.size} variants seen on Asterisk\n`);
    orders[fixture] = stableOrders(rs);
  }
  if (problems.length) {
    process.stderr.write(`fixtures NOT written:\n${problems.join('\n')}\n`);
    process.exitCode = 1;
    return;
  }
  writeFileSync(join(FIXTURE_DIR, 'recorded-sequences.json'), JSON.stringify(sequences, null, 1) + '\n');
  writeFileSync(join(FIXTURE_DIR, 'recorded-interleaved.json'), JSON.stringify(orders, null, 1) + '\n');
  process.stdout.write(`wrote ${Object.keys(sequences).length} fixtures to ${FIXTURE_DIR}\n`);
}

await main();
