/**
 * The crash run shared by test/faults/crash.test.ts (CI size) and scripts/crash-test.ts (full size): a campaign
 * on the simulator, the service SIGKILLed at seeded random moments and restarted each time, then verified.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../../sim/index.js';
import { allResultsFromApi, liveChannelsOfOurs, witnessOf, createCampaign, prng, readDb, verifyCampaign, waitCampaignDone, type Verdict } from './campaign.js';
import { api, freePort, sleep, startService, type RunningService } from './service.js';

export interface CrashOptions {
  numbers: number;
  kills: number;
  seed: number;
  timeScale: number;
  /** Kill moments are drawn uniformly from this range after each (re)start. */
  killAfterMs: [number, number];
  channelsPerTask?: number;
  doneTimeoutMs: number;
  keepDir?: boolean;
  progress?: (line: string) => void;
}

export interface CrashReport extends Verdict {
  kills: { afterMs: number; callsUp: number; restartMs: number }[];
  exitCode: number | null;
  wallMs: number;
  dataDir: string;
}

const WRITE_CRM = 'crash-during-write';

/** A paused task with n numbers (never dialed), posted without waiting for the answer. */
function bigPausedTask(url: string, n: number): Promise<unknown> {
  const numbers = Array.from({ length: n }, (_, i) => `78${String(i).padStart(9, '0')}`);
  return api(url, 'POST', '/task', { crmId: WRITE_CRM, name: 'written while killed', innerNum: '201', state: 2, numbers });
}

/** After the restart: the task killed mid-write has all its numbers or does not exist; then it is removed. */
async function checkWholeOrNothing(url: string, dataDir: string, n: number, acknowledged: boolean): Promise<string[]> {
  const db = new Database(join(dataDir, 'autodialer.sqlite'), { readonly: true });
  let task: { id: number } | undefined;
  let rows = 0;
  try {
    task = db.prepare('SELECT id FROM tasks WHERE crmId = ?').get(WRITE_CRM) as { id: number } | undefined;
    if (task) rows = (db.prepare('SELECT COUNT(*) AS n FROM task_results WHERE taskId = ?').get(task.id) as { n: number }).n;
  } finally {
    db.close();
  }
  const problems: string[] = [];
  if (task && rows !== n) problems.push(`POST /task killed mid-write left a partial task: ${rows} of ${n} numbers`);
  if (acknowledged && !task) problems.push('POST /task answered before the kill but its task is gone');
  if (task) await api(url, 'DELETE', `/task/${task.id}`);
  return problems;
}

export async function runCrashTest(o: CrashOptions): Promise<CrashReport> {
  const started = Date.now();
  const say = o.progress ?? (() => {});
  const rnd = prng(o.seed ^ 0x9e3779b9);
  const dataDir = mkdtempSync(join(tmpdir(), 'autodialer-crash-'));
  const sim = await startSimulator({ port: 0, timeScale: o.timeScale, seed: o.seed, username: 'crash', password: 'crash' });
  const svcOpts = {
    ariUrl: sim.url,
    ariUsername: 'crash',
    ariPassword: 'crash',
    dataDir,
    timeScale: o.timeScale,
    httpPort: await freePort(),
    env: { DIALER_SHUTDOWN_DEADLINE_SECONDS: '30' },
  };
  const ours = () => liveChannelsOfOurs(sim, true).length;
  let svc: RunningService | undefined;
  try {
    svc = await startService(svcOpts);
    const { plan, taskIds } = await createCampaign(svc.url, sim, o.numbers, o.seed, o.channelsPerTask);
    say(`campaign created: ${o.numbers} numbers in ${taskIds.length} tasks`);
    const kills: CrashReport['kills'] = [];
    const writeProblems: string[] = [];
    for (let k = 0; k < o.kills; k++) {
      const afterMs = Math.round(o.killAfterMs[0] + rnd() * (o.killAfterMs[1] - o.killAfterMs[0]));
      await sleep(afterMs);
      const callsUp = ours();
      // On the second kill a big POST /task is being written: it must land whole or not at all.
      const writing = k === 1 ? bigPausedTask(svc.url, Math.max(1000, o.numbers)).then(() => true, () => false) : undefined;
      if (writing) await sleep(Math.round(rnd() * 150));
      svc.child.kill('SIGKILL');
      await svc.exited;
      const answered = writing ? await writing : false;
      await sleep(Math.round(rnd() * 300)); // down for a moment: calls in flight go on without us
      const t0 = Date.now();
      svc = await startService(svcOpts);
      if (writing) writeProblems.push(...(await checkWholeOrNothing(svc.url, dataDir, Math.max(1000, o.numbers), answered)));
      kills.push({ afterMs, callsUp, restartMs: Date.now() - t0 });
      say(`kill ${k + 1}/${o.kills} after ${afterMs} ms with ${callsUp} calls up; back in ${Date.now() - t0} ms`);
    }
    await waitCampaignDone(svc.url, o.doneTimeoutMs);
    say('campaign finished; reading results');
    const fromApi = await allResultsFromApi(svc.url);
    svc.child.kill('SIGTERM');
    const { code } = await svc.exited;
    svc = undefined;
    const verdict = verifyCampaign(witnessOf([{ sim }]), plan, taskIds, readDb(dataDir), fromApi);
    verdict.problems.push(...writeProblems);
    return { ...verdict, kills, exitCode: code, wallMs: Date.now() - started, dataDir };
  } finally {
    if (svc) {
      svc.child.kill('SIGKILL');
      await svc.exited;
    }
    await sim.stop();
    if (!o.keepDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
