import type { Queries } from '../db/port.js';

/** One campaign (task) as the cockpit shows it: what waits, what rings, what is done and how it ended. */
export interface CampaignSummary {
  id: number;
  crmId: string;
  name: string;
  state: number; // 0 dialing, 1 closed, 2 paused
  innerNumType: string;
  innerNum: string;
  maxCountChannels: number;
  /** Attempt rows waiting to be dialed (now or at a later retry time). */
  waiting: number;
  /** Calls up now (on any node). */
  inCall: number;
  /** Attempt rows with a result. */
  done: number;
  /** Of those, how many the customer answered. */
  answered: number;
  /** Results by code, e.g. { SUCCESS_POLLING: 12, FAIL: 3 }. */
  results: Record<string, number>;
}

const TASKS = `SELECT id, crmId, name, state, innerNumType, innerNum, maxCountChannels FROM tasks ORDER BY id DESC LIMIT ?`;
// One pass over the rows of the listed tasks, grouped by task and result ('' = still open).
const COUNTS = `SELECT taskId, result,
    SUM(CASE WHEN closeTime = 0 AND inCall = 0 THEN 1 ELSE 0 END) AS waiting,
    SUM(CASE WHEN inCall = 1 AND closeTime = 0 THEN 1 ELSE 0 END) AS "inCall",
    SUM(CASE WHEN closeTime <> 0 THEN 1 ELSE 0 END) AS done,
    SUM(CASE WHEN closeTime <> 0 AND outDialState = 'ANSWER' THEN 1 ELSE 0 END) AS answered
  FROM task_results WHERE taskId IN (SELECT id FROM tasks ORDER BY id DESC LIMIT ?) GROUP BY taskId, result`;

interface CountRow {
  taskId: number;
  result: string;
  waiting: number;
  inCall: number;
  done: number;
  answered: number;
}

/** The newest `limit` campaigns with their counts (two statements; counts of rows read once). */
export async function campaignSummaries(db: Queries, limit = 200): Promise<CampaignSummary[]> {
  const tasks = await db.all<Omit<CampaignSummary, 'waiting' | 'inCall' | 'done' | 'answered' | 'results'>>(TASKS, [limit]);
  const counts = await db.all<CountRow>(COUNTS, [limit]);
  const byId = new Map<number, CampaignSummary>();
  for (const t of tasks) byId.set(Number(t.id), { ...t, id: Number(t.id), waiting: 0, inCall: 0, done: 0, answered: 0, results: {} });
  for (const c of counts) {
    const s = byId.get(Number(c.taskId));
    if (!s) continue;
    s.waiting += Number(c.waiting);
    s.inCall += Number(c.inCall);
    s.done += Number(c.done);
    s.answered += Number(c.answered);
    if (c.result) s.results[c.result] = (s.results[c.result] ?? 0) + Number(c.done);
  }
  return [...byId.values()];
}
