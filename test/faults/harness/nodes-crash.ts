/**
 * Several dialer nodes, one PostgreSQL: the crash run shared by test/nodes/crash-nodes.pg.test.ts (CI size) and
 * scripts/nodes-crash-test.ts (full size). Three nodes, each the real service in a child process with its own
 * simulated PBX, dial one campaign from the shared database. Nodes are SIGKILLed at seeded random moments; some
 * come back at once (they reconcile their own calls), some only after their lease ran out (a peer has taken their
 * calls over by then), and the last one killed stays down (its calls are left to the peers). Then the campaign is
 * verified with the simulators' call logs as the witness.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from '../../../src/db/client.js';
import { startSimulator, type Simulator } from '../../../sim/index.js';
import { maxConcurrent } from '../../dialer/helpers.js';
import { allResultsFromApi, createCampaign, liveChannelsOfOurs, prng, setUpWorld, verifyCampaign, witnessOf, type DbRow, type Verdict } from './campaign.js';
import { freePort, sleep, startService, type RunningService, type ServiceOptions } from './service.js';

export interface NodesCrashOptions {
  /** A fresh, empty PostgreSQL database for the run. */
  databaseUrl: string;
  numbers: number;
  kills: number;
  seed: number;
  timeScale: number;
  /** Kill moments are drawn uniformly from this range (ms after the previous event). */
  killAfterMs: [number, number];
  leaseSeconds: number;
  channelsPerTask?: number;
  doneTimeoutMs: number;
  keepDir?: boolean;
  progress?: (line: string) => void;
}

export interface NodesCrashReport extends Verdict {
  kills: { node: string; afterMs: number; callsUp: number; downMs: number | null }[];
  wallMs: number;
}

interface NodeRun {
  id: string;
  sim: Simulator;
  opts: ServiceOptions;
  svc?: RunningService;
  /** [killed at, back at] in ms since the epoch; back = Infinity while down. */
  down: [number, number][];
}

export async function runNodesCrashTest(o: NodesCrashOptions): Promise<NodesCrashReport> {
  const started = Date.now();
  const say = o.progress ?? (() => {});
  const rnd = prng(o.seed ^ 0x51ed270b);
  const dir = mkdtempSync(join(tmpdir(), 'autodialer-nodes-'));
  // node n1's PBX has agent 201, n2's has 202, n3's none: extension tasks are dialed by the node of their agent
  const targets = ['201', '202', '0'];
  const nodes: NodeRun[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const id = `n${i + 1}`;
      const sim = await startSimulator({ port: 0, timeScale: o.timeScale, seed: o.seed + i, username: 'crash', password: 'crash' });
      setUpWorld(sim);
      const opts: ServiceOptions = {
        ariUrl: sim.url,
        ariUsername: 'crash',
        ariPassword: 'crash',
        dataDir: join(dir, id),
        timeScale: o.timeScale,
        httpPort: await freePort(),
        env: {
          DATABASE_URL: o.databaseUrl,
          DATABASE_POOL_SIZE: '4',
          DIALER_NODE_ID: id,
          DIALER_NODE_LEASE_SECONDS: String(o.leaseSeconds),
          DIALER_NODE_TARGETS: targets[i]!,
          DIALER_SHUTDOWN_DEADLINE_SECONDS: '30',
          DIALER_SAFETY_TICK_SECONDS: '0.5',
        },
      };
      nodes.push({ id, sim, opts, svc: await startService(opts), down: [] });
    }
    const live = () => nodes.filter((n) => n.svc);
    const { plan, taskIds } = await createCampaign(nodes[0]!.svc!.url, nodes[0]!.sim, o.numbers, o.seed, o.channelsPerTask);
    say(`campaign created: ${o.numbers} numbers in ${taskIds.length} tasks, 3 nodes`);

    const kills: NodesCrashReport['kills'] = [];
    const restarts: Promise<void>[] = [];
    for (let k = 0; k < o.kills; k++) {
      const afterMs = Math.round(o.killAfterMs[0] + rnd() * (o.killAfterMs[1] - o.killAfterMs[0]));
      await sleep(afterMs);
      const candidates = live();
      if (candidates.length <= 1) break; // someone must stay up to finish the campaign
      const victim = candidates[Math.floor(rnd() * candidates.length)]!;
      const callsUp = liveChannelsOfOurs(victim.sim, true).length;
      victim.svc!.child.kill('SIGKILL');
      const window: [number, number] = [Date.now(), Infinity];
      victim.down.push(window);
      await victim.svc!.exited;
      victim.svc = undefined;
      const last = k === o.kills - 1;
      // back at once (before the lease runs out), or after it ran out (a peer took over), or never (the last)
      const downMs = last ? null : rnd() < 0.5 ? Math.round(rnd() * 300) : Math.round(o.leaseSeconds * 1000 * (1.5 + rnd()));
      kills.push({ node: victim.id, afterMs, callsUp, downMs });
      say(`kill ${k + 1}/${o.kills}: ${victim.id} with ${callsUp} calls up; ${downMs === null ? 'stays down' : `back in ${downMs} ms`}`);
      if (downMs !== null) {
        restarts.push(
          (async () => {
            await sleep(downMs);
            victim.svc = await startService(victim.opts);
            window[1] = Date.now();
          })(),
        );
      }
    }
    await Promise.all(restarts);
    const any = () => live()[0]!.svc!.url;
    await waitDone(any, o.doneTimeoutMs);
    say('campaign finished; reading results');
    const fromApi = await allResultsFromApi(any());
    // the nodes still up stop as users stop them (SIGTERM): they hang up their utility channels on the way out
    for (const n of live()) {
      n.svc!.child.kill('SIGTERM');
      const { code } = await n.svc!.exited;
      if (code !== 0) throw new Error(`${n.id} exited with ${code} on SIGTERM`);
    }
    const stopped = live();
    for (const n of stopped) n.svc = undefined;
    await sleep(200);

    const db = await openDb(o.databaseUrl);
    const rows = await db.all<DbRow & { node: string | null }>('SELECT id, taskId, phone, attemptNumber, state, result, callFile, originatedAt, closeTime, node FROM task_results');
    const tasks = await db.all<{ id: number; state: number; maxAttempt: number; maxCountChannels: number }>('SELECT id, state, maxAttempt, maxCountChannels FROM tasks');
    await db.close();

    // the witness: every PBX's call log; channels left up count only on PBXes whose node is up
    const witness = witnessOf(nodes.map((n) => ({ sim: n.sim })));
    witness.liveOurs = stopped.flatMap((n) => liveChannelsOfOurs(n.sim));
    const verdict = verifyCampaign(witness, plan, taskIds, { rows, tasks }, fromApi);

    // maxCountChannels held across the nodes: customer calls of each task alive at once, over all PBXes. A node
    // killed and away longer than its lease can be trusted to count its calls leaves them beyond anyone's sight:
    // they go on on its PBX while peers, after taking its rows over, count them no more. Such a call counts until
    // the earliest moment a peer may take it over (kill + 2/3 of the lease: the last renewal may have been a
    // third of a lease before the kill), and the number of calls so cut is in the figures.
    const taskOfCall = new Map(rows.filter((r) => r.callFile).map((r) => [r.callFile!, r.taskId]));
    const limit = new Map(tasks.map((t) => [t.id, t.maxCountChannels]));
    const trustMs = (o.leaseSeconds * 1000 * 2) / 3;
    let beyondSight = 0;
    const calls = nodes.flatMap((n) =>
      n.sim.world.callLog
        .filter((c) => c.mode === 'originate' && !c.rejected && taskOfCall.has(c.channelId))
        .map((c) => {
          const cut = n.down.find(([a, b]) => b - a > trustMs && c.startedAt < a && (c.endedAt ?? Infinity) > a);
          if (!cut || (c.endedAt ?? Infinity) <= cut[0] + trustMs) return c;
          beyondSight++;
          return { ...c, endedAt: cut[0] + trustMs };
        }),
    );
    for (const id of taskIds) {
      const peak = maxConcurrent(calls.filter((c) => taskOfCall.get(c.channelId) === id));
      if (peak > limit.get(id)!) verdict.problems.push(`task ${id}: ${peak} calls at once across nodes, maxCountChannels ${limit.get(id)}`);
    }
    const byNode: Record<string, number> = {};
    for (const r of rows) if (r.node) byNode[`rows of ${r.node}`] = (byNode[`rows of ${r.node}`] ?? 0) + 1;
    for (const n of nodes) byNode[`calls on ${n.id}'s PBX`] = n.sim.world.callLog.filter((c) => c.mode === 'originate' && !c.rejected).length;
    const downForGood = nodes.filter((n) => !stopped.includes(n));
    verdict.figures = { ...verdict.figures, ...byNode, callsBeyondSight: beyondSight, leftUpOnDownNodes: downForGood.flatMap((n) => liveChannelsOfOurs(n.sim, true)).length };
    return { ...verdict, kills, wallMs: Date.now() - started };
  } finally {
    for (const n of nodes) {
      if (n.svc) {
        n.svc.child.kill('SIGKILL');
        await n.svc.exited;
      }
      await n.sim.stop();
    }
    if (!o.keepDir) rmSync(dir, { recursive: true, force: true });
  }
}

async function waitDone(url: () => string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(`${url()}/pbxcore/api/module-dialer/v1/task?limit=1000`);
      const body = (await r.json()) as { data: { results: { state: string }[] } };
      if (body.data.results.every((t) => t.state === '1')) return;
    } catch {
      // the node asked may have just been killed; ask again
    }
    if (Date.now() > end) throw new Error(`campaign not finished after ${timeoutMs} ms`);
    await sleep(250);
  }
}

