/**
 * Asterisk going away: the simulator is stopped mid-campaign (its calls vanish with it) and a NEW simulator is
 * started on the same port. The service must reconnect by itself, reconcile the calls it had in flight and
 * finish the campaign. Shared by test/faults/asterisk-restart.test.ts and scripts/asterisk-restart.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../../sim/index.js';
import { allResultsFromApi, createCampaign, liveChannelsOfOurs, prng, readDb, setUpWorld, verifyCampaign, waitCampaignDone, witnessOf, type Verdict } from './campaign.js';
import { freePort, sleep, startService, type RunningService } from './service.js';

export interface OutageOptions {
  numbers: number;
  outages: number;
  seed: number;
  timeScale: number;
  /** Each outage starts this long (drawn uniformly) after the campaign starts / Asterisk comes back. */
  outageAfterMs: [number, number];
  downMs: [number, number];
  channelsPerTask?: number;
  doneTimeoutMs: number;
  progress?: (line: string) => void;
}

export interface OutageReport extends Verdict {
  outages: { afterMs: number; downMs: number; callsLost: number; reconnectedMs: number }[];
  exitCode: number | null;
  callsPerLife: number[];
  wallMs: number;
}

async function ariState(url: string): Promise<string> {
  const h = await fetch(`${url}/health`).then((r) => r.json() as Promise<{ dialer: { ari: string } }>);
  return h.dialer.ari;
}

export async function runAsteriskOutage(o: OutageOptions): Promise<OutageReport> {
  const started = Date.now();
  const say = o.progress ?? (() => {});
  const rnd = prng(o.seed ^ 0x51ed);
  const dataDir = mkdtempSync(join(tmpdir(), 'autodialer-outage-'));
  const port = await freePort();
  const simOpts = { port, timeScale: o.timeScale, seed: o.seed, username: 'ast', password: 'ast' };
  const lives: { sim: Simulator; stoppedAt?: number }[] = [{ sim: await startSimulator(simOpts) }];
  let svc: RunningService | undefined;
  try {
    svc = await startService({ ariUrl: lives[0]!.sim.url, ariUsername: 'ast', ariPassword: 'ast', dataDir, timeScale: o.timeScale, httpPort: await freePort() });
    const { plan, taskIds } = await createCampaign(svc.url, lives[0]!.sim, o.numbers, o.seed, o.channelsPerTask);
    const outages: OutageReport['outages'] = [];
    for (let k = 0; k < o.outages; k++) {
      const afterMs = Math.round(o.outageAfterMs[0] + rnd() * (o.outageAfterMs[1] - o.outageAfterMs[0]));
      const downMs = Math.round(o.downMs[0] + rnd() * (o.downMs[1] - o.downMs[0]));
      await sleep(afterMs);
      const life = lives[lives.length - 1]!;
      // An outage is only a test of reconciliation when calls are in flight. On a loaded machine the service
      // can still be between reconnect and its next originate when the drawn moment comes (CI saw exactly that):
      // wait, bounded, for a call of ours before pulling the plug.
      const waitFrom = Date.now();
      while (liveChannelsOfOurs(life.sim, true).length === 0 && Date.now() - waitFrom < 10_000) await sleep(20);
      const callsLost = liveChannelsOfOurs(life.sim, true).length;
      life.stoppedAt = Date.now();
      await life.sim.stop();
      await sleep(downMs);
      const sim = await startSimulator(simOpts);
      setUpWorld(sim);
      lives.push({ sim });
      const t0 = Date.now();
      while ((await ariState(svc.url)) !== 'connected') {
        if (Date.now() - t0 > 30_000) throw new Error('the service did not reconnect to ARI within 30 s');
        await sleep(50);
      }
      outages.push({ afterMs, downMs, callsLost, reconnectedMs: Date.now() - t0 });
      say(`outage ${k + 1}/${o.outages}: after ${afterMs} ms, ${callsLost} calls lost, down ${downMs} ms, reconnected ${Date.now() - t0} ms after Asterisk came back`);
    }
    await waitCampaignDone(svc.url, o.doneTimeoutMs);
    const fromApi = await allResultsFromApi(svc.url);
    const ari = await ariState(svc.url);
    if (ari !== 'connected') throw new Error(`ARI state at the end: ${ari}`);
    svc.child.kill('SIGTERM');
    const { code } = await svc.exited;
    svc = undefined;
    const verdict = verifyCampaign(witnessOf(lives), plan, taskIds, readDb(dataDir), fromApi);
    return { ...verdict, outages, exitCode: code, callsPerLife: lives.map((l) => l.sim.world.callLog.length), wallMs: Date.now() - started };
  } finally {
    if (svc) {
      svc.child.kill('SIGKILL');
      await svc.exited;
    }
    const last = lives[lives.length - 1]!;
    if (last.stoppedAt === undefined) await last.sim.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
