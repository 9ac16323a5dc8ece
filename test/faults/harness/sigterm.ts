/**
 * SIGTERM with calls up: long bridged calls (customers ending in 0 or 7 talking to agents that never hang up),
 * surveys that end by themselves, and a queue of quick numbers the dialer would keep originating. After the
 * signal: no attempt is started, calls drain or are hung up at DIALER_SHUTDOWN_DEADLINE_SECONDS, every
 * originated row is recorded, the process exits 0. Then a restart on the same database finishes the rest.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../../sim/index.js';
import { liveChannelsOfOurs, readDb, waitCampaignDone } from './campaign.js';
import { api, freePort, sleep, startService, type RunningService } from './service.js';

export interface SigtermOptions {
  timeScale: number;
  deadlineSeconds: number;
  /** Numbers per agent (long bridged calls) and quick numbers in the survey task. */
  longPerAgent: number;
  quick: number;
  agents: string[];
}

export interface SigtermReport {
  problems: string[];
  callsUpAtSignal: number;
  bridgedAtSignal: number;
  /** ms from SIGTERM to exit, and the scaled deadline in ms. */
  exitAfterMs: number;
  deadlineMs: number;
  drainedBeforeDeadline: number;
  hungUpAtDeadline: number;
  /** Results recorded for the calls hung up at the deadline. */
  cutResults: string[];
  exitCode: number | null;
  originatesAfterStop: number;
  recordedAtStop: Record<string, number>;
  notYetDialed: number;
  completedAfterRestart: boolean;
}

/** pino time of the service's "stopping" line: when it actually handled the signal. */
function stopLoggedAt(dataDir: string): number {
  for (const line of readFileSync(join(dataDir, 'service.log'), 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    const j = JSON.parse(line) as { time: number; msg: string };
    if (j.msg?.startsWith('stopping: no new calls')) return j.time;
  }
  throw new Error('the service never logged that it was stopping');
}

export async function runSigterm(o: SigtermOptions): Promise<SigtermReport> {
  const problems: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'autodialer-sigterm-'));
  const sim = await startSimulator({ port: 0, timeScale: o.timeScale, seed: 3, username: 'st', password: 'st' });
  for (const a of o.agents) sim.world.setAgent(a, { answerAfterMs: 1000, hangupAfterMs: 600_000 });
  const svcOpts = {
    ariUrl: sim.url, ariUsername: 'st', ariPassword: 'st', dataDir, timeScale: o.timeScale, httpPort: await freePort(),
    env: { DIALER_SHUTDOWN_DEADLINE_SECONDS: String(o.deadlineSeconds) },
  };
  let svc: RunningService | undefined = await startService(svcOpts);
  try {
    const polling = await api(svc.url, 'POST', '/polling', {
      name: 'long',
      questions: [{ questionText: 'Press 1', timeout: 30, press: [{ key: '1', action: 'answer', value: 'yes' }] }],
    });
    const pollingId = String(polling.data.id);
    let seq = 0;
    const num = (last: string) => `7955${String(seq++).padStart(6, '0')}${last}`;
    for (const agent of o.agents) {
      // 7 stays 60 s (longer than the deadline), 0 stays 30 s: the first call of each agent is cut at the deadline
      const numbers = Array.from({ length: o.longPerAgent }, (_, i) => num(i % 2 ? '0' : '7'));
      await api(svc.url, 'POST', '/task', { name: `long ${agent}`, innerNum: agent, maxCountChannels: 1, numbers });
    }
    // Surveys: 9 hangs up after 16.75 s (drains before the deadline), 1 presses a key, 7 stays on the line
    // (hung up at the deadline); 5 and 2 end at once, so the dialer always has something new to dial.
    const mix = ['9', '1', '7', '5', '2'];
    const quick = Array.from({ length: o.quick }, (_, i) => num(mix[i % mix.length]!));
    await api(svc.url, 'POST', '/task', { name: 'survey', innerNum: pollingId, innerNumType: 'polling', maxCountChannels: 8, numbers: quick });

    // Signal once every agent talks to a customer and surveys are running.
    const end = Date.now() + 20_000;
    const bridged = () => sim.world.callLog.filter((c) => c.endpoint.includes('@internal') && c.answeredAt && !c.endedAt).length;
    while (bridged() < o.agents.length || liveChannelsOfOurs(sim, true).length < o.agents.length + 4) {
      if (Date.now() > end) throw new Error('calls never came up');
      await sleep(20);
    }
    const upAtSignal = new Set(liveChannelsOfOurs(sim, true));
    const callsUpAtSignal = upAtSignal.size;
    const bridgedAtSignal = bridged();
    const signalAt = Date.now();
    svc.child.kill('SIGTERM');
    const { code } = await svc.exited;
    const exitAfterMs = Date.now() - signalAt;
    svc = undefined;
    const stopAt = stopLoggedAt(dataDir);

    const db = readDb(dataDir);
    const byCallFile = new Map(db.rows.filter((r) => r.callFile).map((r) => [r.callFile!, r]));
    // An originate may reach Asterisk a moment after the signal only if it was claimed before it was handled.
    const late = sim.world.callLog.filter((c) => c.endpoint.includes('@outgoing') && c.startedAt > stopAt);
    const lateClaims = late.filter((c) => {
      const row = byCallFile.get(c.channelId);
      return !row || row.originatedAt === null || row.originatedAt * 1000 > stopAt;
    });
    if (lateClaims.length) problems.push(`attempts started after the signal: ${lateClaims.map((c) => c.channelId).join(', ')}`);
    const unrecorded = db.rows.filter((r) => r.callFile && (!r.result || !r.closeTime));
    if (unrecorded.length) problems.push(`originated rows without an outcome: ${JSON.stringify(unrecorded.slice(0, 3))}`);
    const left = liveChannelsOfOurs(sim);
    if (left.length) problems.push(`channels still up after exit: ${left.join(', ')}`);
    const unended = sim.world.callLog.filter((c) => !c.rejected && c.mode === 'originate' && !c.endedAt);
    if (unended.length) problems.push(`calls never ended: ${unended.map((c) => c.channelId).join(', ')}`);
    // Calls up at the signal either ended by themselves before the deadline or were hung up at it.
    const deadlineMs = o.deadlineSeconds * o.timeScale * 1000;
    const upCalls = sim.world.callLog.filter((c) => upAtSignal.has(c.channelId));
    const drainedBeforeDeadline = upCalls.filter((c) => c.endedAt! - signalAt < deadlineMs).length;
    const cut = upCalls.filter((c) => c.endedAt! - signalAt >= deadlineMs);
    const hungUpAtDeadline = cut.length;
    const cutResults = cut.map((c) => byCallFile.get(c.channelId)?.result ?? '');
    const tooLate = upCalls.filter((c) => c.endedAt! - signalAt > deadlineMs + 3000);
    if (tooLate.length) problems.push(`calls still up 3 s after the deadline: ${tooLate.map((c) => c.channelId).join(', ')}`);
    const recordedAtStop: Record<string, number> = {};
    for (const r of db.rows.filter((x) => x.result)) recordedAtStop[r.result] = (recordedAtStop[r.result] ?? 0) + 1;
    const notYetDialed = db.rows.filter((r) => !r.callFile && r.state === 'CreateTask' && !r.result).length;

    // Nothing was lost: a restart on the same database finishes the campaign (agents now hang up).
    for (const a of o.agents) sim.world.setAgent(a, { answerAfterMs: 500, hangupAfterMs: 2000 });
    svc = await startService(svcOpts);
    let completedAfterRestart = true;
    try {
      await waitCampaignDone(svc.url, 60_000);
    } catch {
      completedAfterRestart = false;
    }
    svc.child.kill('SIGTERM');
    await svc.exited;
    svc = undefined;
    return {
      problems, callsUpAtSignal, bridgedAtSignal, exitAfterMs, deadlineMs, drainedBeforeDeadline, hungUpAtDeadline, cutResults, exitCode: code,
      originatesAfterStop: late.length, recordedAtStop, notYetDialed, completedAfterRestart,
    };
  } finally {
    if (svc) {
      svc.child.kill('SIGKILL');
      await svc.exited;
    }
    await sim.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
