import type { Queries } from '../db/port.js';
import { taskCounts } from '../events/task-counts.js';
import type { CampaignSummary } from './campaigns.js';

type TaskRow = Omit<CampaignSummary, 'waiting' | 'inCall' | 'done' | 'answered' | 'results'> & { changeTime: number };

const COLUMNS = 'id, crmId, name, state, innerNumType, innerNum, maxCountChannels, changeTime';
const NEWEST_TASKS = `SELECT ${COLUMNS} FROM tasks ORDER BY id DESC LIMIT ?`;
const ONE_TASK = `SELECT ${COLUMNS} FROM tasks WHERE id = ?`;

/** A task's row with its counts (task-counts.ts: cached, so a million rows cost what recent closes cost). */
async function summarise(db: Queries, { changeTime, ...task }: TaskRow, now?: number): Promise<CampaignSummary> {
  const { waiting, inCall, done, answered, results } = await taskCounts(db, Number(task.id), { now, changeTime: Number(changeTime) });
  return { ...task, id: Number(task.id), waiting, inCall, done, answered, results };
}

/** The newest `limit` campaigns with their counts, newest first. `now`: the service clock, unix seconds. */
export async function campaignSummaries(db: Queries, limit = 200, now?: number): Promise<CampaignSummary[]> {
  const out: CampaignSummary[] = [];
  // one task after the other: a first count of a big task reads in chunks, giving the loop back between them
  for (const task of await db.all<TaskRow>(NEWEST_TASKS, [limit])) out.push(await summarise(db, task, now));
  return out;
}

/** One campaign with its counts, undefined when there is no such task. */
export async function campaignSummary(db: Queries, id: number, now?: number): Promise<CampaignSummary | undefined> {
  const task = await db.get<TaskRow>(ONE_TASK, [id]);
  return task ? summarise(db, task, now) : undefined;
}
