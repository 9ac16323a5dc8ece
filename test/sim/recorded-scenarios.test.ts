/**
 * Every call scenario recorded from the real Asterisk 22 (`npm run fixtures:refresh`, the fixture-named scenarios
 * of test/fidelity/scenarios.ts) replayed on the simulator through the same raw ARI client: each half of the call
 * must show exactly the events of one recorded variant (fixtures/recorded-sequences.json), and every order across the halves that
 * Asterisk kept in all recordings must hold (fixtures/recorded-interleaved.json).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { brokenOrders, halvesOf, type Halves, type OrderPairs } from '../fidelity/fixtures.js';
import { runScenarios, type ScenarioResult } from '../fidelity/runner.js';
import { SCENARIOS } from '../fidelity/scenarios.js';

const load = <T>(file: string): T => JSON.parse(readFileSync(new URL(`./fixtures/${file}`, import.meta.url), 'utf8')) as T;
const recorded = load<Record<string, Halves[]>>('recorded-sequences.json');
const orders = load<Record<string, OrderPairs>>('recorded-interleaved.json');
const withFixture = SCENARIOS.filter((s) => s.fixture);

describe('recorded Asterisk scenarios replayed on the simulator', () => {
  let sim: Simulator;
  let results: Record<string, ScenarioResult>;
  beforeAll(async () => {
    sim = await startSimulator({ timeScale: 0.05 });
    // The recording's [outgoing] has no default route: BN1 expects "no route".
    sim.world.config.outgoingDefaultRoute = false;
    results = await runScenarios(sim, SCENARIOS, { only: (s) => !!s.fixture, waitMs: 10_000, settleMs: 30 });
  }, 60_000);
  afterAll(async () => sim.stop());

  it('covers every recorded scenario', () => {
    expect(withFixture.map((s) => s.fixture).sort()).toEqual(Object.keys(recorded).sort());
  });

  for (const s of withFixture) {
    it(`${s.fixture}: same events and causes per half, and the orders across halves Asterisk always kept`, () => {
      const r = results[s.name]!;
      expect(r.error).toBeUndefined();
      // one of the variants Asterisk showed (most often one; a few scenarios end with either of two causes)
      const variants = recorded[s.fixture!] ?? [];
      const mine = halvesOf(r);
      expect(variants.find((v) => JSON.stringify(v) === JSON.stringify(mine)) ?? variants[0]).toEqual(mine);
      expect(brokenOrders(r, orders[s.fixture!] ?? [])).toEqual([]);
    });
  }
});
