/**
 * A campaign for the fault suites: a survey, several polling tasks and two extension tasks over numbers whose
 * last digit picks the simulated customer's behaviour (answer + key 1, busy, no answer, congestion, hang up,
 * keys 3 9, long calls, unallocated, ...), created through the running service's own API. Then the checks,
 * with the simulator's call log as the witness.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { CallLog, type CallRecord } from '../../../sim/call-log.js';
import { mulberry32 } from '../../../sim/clock.js';
import type { Simulator } from '../../../sim/index.js';
import { api, sleep } from './service.js';

/** Small deterministic PRNG, the simulator's, so a failing run can be replayed with its seed. */
export const prng = mulberry32;

export interface CampaignPlan {
  tasks: { body: Record<string, unknown>; numbers: string[]; maxAttempt: number }[];
  total: number;
}

export const AGENTS = ['201', '202'];

/** Customer behaviour is chosen by the sim from the last digit; the digit is drawn from the seed. */
export function planCampaign(numbers: number, seed: number, pollingId: number, channelsPerTask = 25): CampaignPlan {
  const rnd = prng(seed);
  const all = Array.from({ length: numbers }, (_, i) => `79${String(i).padStart(8, '0')}${Math.floor(rnd() * 10)}`);
  // one agent per extension task takes a call at a time: at most 300 numbers each, or a big run waits on them for long
  const extenShare = Math.max(2, Math.min(300, Math.floor(numbers * 0.02)));
  const tasks: CampaignPlan['tasks'] = [];
  let at = 0;
  for (const agent of AGENTS) {
    const nums = all.slice(at, (at += extenShare));
    tasks.push({ body: { name: `exten ${agent}`, innerNum: agent, innerNumType: 'exten', maxCountChannels: 3, maxAttempt: 2, tryInterval: 20 }, numbers: nums, maxAttempt: 2 });
  }
  const rest = all.slice(at);
  const pollingTasks = Math.max(2, Math.ceil(rest.length / 2500));
  const per = Math.ceil(rest.length / pollingTasks);
  for (let t = 0; t < pollingTasks; t++) {
    const nums = rest.slice(t * per, (t + 1) * per);
    const maxAttempt = t % 2 === 0 ? 2 : 3;
    tasks.push({
      body: { name: `survey ${t}`, innerNum: String(pollingId), innerNumType: 'polling', maxCountChannels: channelsPerTask, maxAttempt, tryInterval: 20 },
      numbers: nums,
      maxAttempt,
    });
  }
  return { tasks, total: numbers };
}

/** Numbers in pairs of one client (every 10th pair) exercise client grouping across a crash too. */
function numberEntries(nums: string[]) {
  return nums.map((n, i) => ((i >> 1) % 10 === 0 ? { number: n, clientId: `client-${n.slice(2, -2)}-${i >> 1}` } : n));
}

/** Agents answer after 1 s and hang up 4 s later, so extension tasks move. Per simulator (a restarted one too). */
export function setUpWorld(sim: Simulator): void {
  for (const a of AGENTS) sim.world.setAgent(a, { answerAfterMs: 1000, hangupAfterMs: 4000 });
}

export async function createCampaign(url: string, sim: Simulator, numbers: number, seed: number, channelsPerTask?: number) {
  setUpWorld(sim);
  const polling = await api(url, 'POST', '/polling', {
    name: 'crash survey',
    questions: [
      {
        questionId: 'q1',
        questionText: 'Press 1 or 3',
        timeout: 2,
        press: [
          { key: '1', action: 'answer', value: 'yes' },
          { key: '3', action: 'answer', value: 'three', nextQuestion: 'q2' },
        ],
      },
      { questionId: 'q2', questionText: 'Press 9', timeout: 2, press: [{ key: '9', action: 'answer', value: 'nine' }] },
    ],
  });
  if (!polling.result) throw new Error(`POST /polling refused: ${JSON.stringify(polling.messages)}`);
  const plan = planCampaign(numbers, seed, Number(polling.data.id), channelsPerTask);
  const taskIds: number[] = [];
  for (const t of plan.tasks) {
    const r = await api(url, 'POST', '/task', { ...t.body, numbers: numberEntries(t.numbers) });
    if (!r.result) throw new Error(`POST /task refused: ${JSON.stringify(r.messages).slice(0, 500)}`);
    taskIds.push(Number(r.data.id));
  }
  return { plan, taskIds };
}

/** Open tasks according to the API (state "1" = closed; the API answers database values as strings). */
export async function openTasks(url: string): Promise<number> {
  const r = await api(url, 'GET', '/task?limit=1000');
  return (r.data.results as { state: string }[]).filter((t) => t.state !== '1').length;
}

export async function waitCampaignDone(url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while ((await openTasks(url)) > 0) {
    if (Date.now() > end) throw new Error(`campaign not finished after ${timeoutMs} ms`);
    await sleep(200);
  }
}

/**
 * Every row through GET /results/{changeTime}, paging by the last changeTime when a page is full (10 000).
 * Ids and changeTime come as strings: the map is keyed by the numeric id (as the database reader's rows),
 * and the changeTime string goes back into the URL as it is, as a CRM does.
 */
export async function allResultsFromApi(url: string): Promise<Map<number, { result: string; phone: string }>> {
  const rows = new Map<number, { result: string; phone: string }>();
  let since = '0';
  for (let page = 0; page < 1000; page++) {
    const r = await api(url, 'GET', `/results/${since}`);
    const list = r.data.results as { id: string; changeTime: string; result: string; phone: string }[];
    let added = 0;
    for (const row of list) {
      const id = Number(row.id);
      if (!rows.has(id)) added++;
      rows.set(id, row);
    }
    if (list.length < 10_000) break;
    const last = list[list.length - 1]!.changeTime;
    if (added === 0) throw new Error(`GET /results/${since}: a full page with nothing new (10 000 rows share changeTime ${last})`);
    since = last;
  }
  return rows;
}

export interface DbRow {
  id: number;
  taskId: number;
  phone: string;
  attemptNumber: number;
  state: string;
  result: string;
  callFile: string | null;
  /** Unix seconds (float) when the attempt was claimed, just before its originate. */
  originatedAt: number | null;
  closeTime: number;
}

export function readDb(dataDir: string) {
  const db = new Database(join(dataDir, 'autodialer.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT id, taskId, phone, attemptNumber, state, result, callFile, originatedAt, closeTime FROM task_results').all() as DbRow[];
    const tasks = db.prepare('SELECT id, state, maxAttempt FROM tasks').all() as { id: number; state: number; maxAttempt: number }[];
    return { rows, tasks };
  } finally {
    db.close();
  }
}

/** Channels the dialer created that the simulator still has (customer calls, agent legs, utility). */
export function liveChannelsOfOurs(sim: Simulator, customerOnly = false): string[] {
  return sim.world
    .channels()
    .map((c) => String(c.id))
    .filter((id) => (customerOnly ? /^dlr-\d+-\d+-[a-z0-9]+$/.test(id) : id.startsWith('dlr-')));
}

/** What Asterisk saw: every originate/create request, and the channels of ours still up at the end. */
export interface Witness {
  log: CallLog;
  liveOurs: string[];
}

/**
 * The witness over one or more simulator lifetimes. A simulator that was stopped took its calls with it:
 * those calls end at its stop time (as when Asterisk restarts).
 */
export function witnessOf(lives: { sim: Simulator; stoppedAt?: number }[]): Witness {
  const log = new CallLog();
  for (const { sim, stoppedAt } of lives) {
    for (const r of sim.world.callLog) log.add(stoppedAt !== undefined && r.endedAt === undefined ? { ...r, endedAt: stoppedAt } : { ...r });
  }
  const last = lives[lives.length - 1]!;
  return { log, liveOurs: last.stoppedAt === undefined ? liveChannelsOfOurs(last.sim) : [] };
}

export interface Verdict {
  problems: string[];
  figures: Record<string, number | string>;
}

/**
 * The invariants of a campaign that went through faults. `problems` lists every broken one (empty = proven);
 * the witness is the simulator's call log, not the dialer's own bookkeeping.
 */
export function verifyCampaign(witness: Witness, plan: CampaignPlan, taskIds: number[], db: ReturnType<typeof readDb>, fromApi: Map<number, { result: string }>): Verdict {
  const problems: string[] = [];
  const say = (what: string, items: unknown[]) => {
    if (items.length) problems.push(`${what}: ${items.length} (e.g. ${JSON.stringify(items.slice(0, 3))})`);
  };
  const log: CallRecord[] = witness.log.records;
  const customerCalls = log.filter((c) => c.mode === 'originate' && c.endpoint.includes('@outgoing'));
  const accepted = customerCalls.filter((c) => !c.rejected);
  const customerNumbers = new Set(plan.tasks.flatMap((t) => t.numbers));

  // 1. No number in two calls at once.
  say('numbers in two calls at once', witness.log.overlappingNumbers().filter((o) => customerNumbers.has(o.number)));
  // 2. No channel id and no attempt (row + attempt number) originated twice.
  say('channel ids originated twice', witness.log.duplicateChannelIds());
  const attempts = new Map<string, number>();
  for (const c of customerCalls) {
    const m = /^dlr-(\d+)-(\d+)-/.exec(c.channelId);
    if (!m) {
      problems.push(`customer call with a foreign channel id ${c.channelId}`);
      continue;
    }
    const key = `${m[1]}/${m[2]}`;
    attempts.set(key, (attempts.get(key) ?? 0) + 1);
  }
  say('attempts originated twice', [...attempts].filter(([, n]) => n > 1));
  // 3. No number dialed more often than its task's maxAttempt.
  const allowed = new Map<string, number>();
  for (const t of plan.tasks) for (const n of t.numbers) allowed.set(n, t.maxAttempt);
  const dialed = new Map<string, number>();
  for (const c of accepted) dialed.set(c.number, (dialed.get(c.number) ?? 0) + 1);
  say('numbers dialed more than maxAttempt', [...dialed].filter(([n, k]) => k > (allowed.get(n) ?? 0)));
  say('calls to numbers outside the campaign', [...dialed.keys()].filter((n) => !customerNumbers.has(n)));

  // 4. Every number reaches a terminal result; every task closed itself.
  const ours = new Set(taskIds);
  const rows = db.rows.filter((r) => ours.has(r.taskId));
  say('tasks not closed', db.tasks.filter((t) => ours.has(t.id) && t.state !== 1).map((t) => t.id));
  say('rows without a terminal result', rows.filter((r) => !r.result || !r.closeTime).map((r) => [r.id, r.phone, r.state]));
  const phones = new Set(rows.map((r) => r.phone));
  say('numbers with no row at all', [...customerNumbers].filter((n) => !phones.has(n)));
  const perPhone = new Map<string, number>();
  for (const r of rows) perPhone.set(r.phone, (perPhone.get(r.phone) ?? 0) + 1);
  say('numbers with more rows than maxAttempt', [...perPhone].filter(([n, k]) => k > (allowed.get(n) ?? 0)));

  // 5. Every call the simulator saw is an attempt row with a result (nothing dialed off the books).
  const byCallFile = new Map(rows.filter((r) => r.callFile).map((r) => [r.callFile!, r]));
  say('calls with no attempt row', accepted.filter((c) => !byCallFile.has(c.channelId)).map((c) => c.channelId));
  // 6. No call of ours is left up in Asterisk.
  say('channels of ours left up', witness.liveOurs);
  // 7. The results API shows every row with its result.
  say('rows missing from GET /results', rows.filter((r) => !fromApi.has(r.id)).map((r) => r.id));
  say('rows whose API result differs', rows.filter((r) => fromApi.has(r.id) && fromApi.get(r.id)!.result !== r.result).map((r) => r.id));

  // Claimed, then the service died before (or while) sending the originate: recorded as a failed attempt
  // without a call, because after a restart nobody can prove the originate never reached Asterisk.
  const called = new Set(accepted.map((c) => c.channelId));
  const attemptsWithoutCall = rows.filter((r) => r.callFile && !called.has(r.callFile)).length;
  const byResult: Record<string, number> = {};
  for (const r of rows) byResult[r.result || '(none)'] = (byResult[r.result || '(none)'] ?? 0) + 1;
  return {
    problems,
    figures: {
      numbers: customerNumbers.size,
      rows: rows.length,
      customerCalls: accepted.length,
      rejectedOriginates: customerCalls.length - accepted.length,
      agentLegs: log.filter((c) => c.endpoint.includes('@internal')).length,
      resultsFromApi: fromApi.size,
      attemptsWithoutCall,
      ...Object.fromEntries(Object.entries(byResult).map(([k, v]) => [`result ${k}`, v])),
    },
  };
}
