/**
 * The simulator is faithful to Asterisk 22: every scenario of test/fidelity/scenarios.ts is played through the same
 * raw ARI client against the simulator and against a real, private Asterisk, and the request outcomes and the
 * per-channel event sequences (ids, times and chatter left out) must be the same.
 *
 * Asterisk is the reference. A scenario that differs is played again on Asterisk (twice at most): the simulator
 * passes if it did what Asterisk did in one of those runs, so Asterisk's own variance (seen: create + dial to an
 * unallocated number ends with cause 1 or 16; once, under load, the answering-machine call's ;1 ended with 0
 * instead of 16) does not fail the build, while any behaviour Asterisk does not show fails it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { differences } from '../fidelity/compare.js';
import { runScenarios, type ScenarioResult } from '../fidelity/runner.js';
import { SCENARIOS } from '../fidelity/scenarios.js';
import { pbxSkipReason, startPbx, type Pbx } from './pbx.js';

const PBX_RETRIES = 2;

describe.skipIf(pbxSkipReason())('the simulator behaves like Asterisk 22 over ARI', () => {
  let pbx: Pbx;
  let sim: Simulator;
  let onSim: Record<string, ScenarioResult>;
  let onPbx: Record<string, ScenarioResult[]>;

  beforeAll(async () => {
    sim = await startSimulator({ timeScale: 0.1 });
    // The test world's [outgoing] has no default route (the simulator's demo default is off here).
    sim.world.config.outgoingDefaultRoute = false;
    [pbx, onSim] = await Promise.all([startPbx(), runScenarios(sim, SCENARIOS, { waitMs: 15_000, settleMs: 50 })]);
    const first = await runScenarios(pbx, SCENARIOS);
    onPbx = Object.fromEntries(Object.entries(first).map(([k, v]) => [k, [v]]));
    for (let i = 0; i < PBX_RETRIES; i++) {
      const differing = SCENARIOS.filter((s) => onPbx[s.name]!.every((r) => differences(onSim[s.name]!, r).length > 0));
      if (differing.length === 0) break;
      const again = await runScenarios(pbx, SCENARIOS, { only: (s) => differing.includes(s) });
      for (const [k, v] of Object.entries(again)) onPbx[k]!.push(v);
    }
  }, 300_000);

  afterAll(async () => {
    await sim?.stop();
    await pbx?.destroy();
  });

  for (const s of SCENARIOS) {
    it(s.name, () => {
      const runs = onPbx[s.name]!;
      expect(runs[0]!.error, 'the scenario itself ran on Asterisk').toBeUndefined();
      const closest = runs.map((r) => differences(onSim[s.name]!, r)).sort((a, b) => a.length - b.length)[0]!;
      expect(closest, `simulator vs Asterisk (${runs.length} Asterisk run(s))`).toEqual([]);
    });
  }
});
