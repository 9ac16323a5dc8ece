import { basename } from 'node:path';
import type { Queries } from '../db/port.js';
import { chunksUp, settledRowId } from '../events/row-chunks.js';
import { KeyedQueue, PerDbLru } from '../events/task-cache.js';
import { MAX_CACHED_TASKS } from '../events/task-counts.js';
import type { SurveyAnswers } from './api-types.js';

/**
 * A survey's answers per question and key, for charts. polling_results rows are appended, never deleted, and
 * the columns counted here (question, result) never change (speech recognition later fills in the text only),
 * so the rows up to a settled id are tallied once and kept (as task-counts.ts does for closed rows); only the
 * rows after it are counted on each read. The first tally of a big task goes CHUNK_ROWS rows a statement on
 * SQLite (synchronous: the event loop is handed back between them); PostgreSQL counts in the server, one
 * statement, while the service goes on.
 */
interface AnswerTally {
  upTo: number;
  counts: Map<string, Map<string, number>>;
}

const tallies = new PerDbLru<number, AnswerTally>(MAX_CACHED_TASKS);
const queue = new KeyedQueue<number>();

const COUNT_RANGE = `SELECT questionCrmId, result, COUNT(*) AS n FROM polling_results WHERE taskId = ? AND id > ? AND id <= ? GROUP BY 1, 2`;
const COUNT_AFTER = `SELECT questionCrmId, result, COUNT(*) AS n FROM polling_results WHERE taskId = ? AND id > ? GROUP BY 1, 2`;
const POLLING = 'SELECT id, crmId FROM pollings WHERE id = ?';
const QUESTIONS = 'SELECT crmId, questionText, questionFile FROM questions WHERE pollingId = ? ORDER BY position';

interface Group {
  questionCrmId: string;
  result: string;
  n: number;
}

function add(counts: Map<string, Map<string, number>>, groups: Group[]): void {
  for (const g of groups) {
    let q = counts.get(g.questionCrmId);
    if (!q) counts.set(g.questionCrmId, (q = new Map()));
    q.set(g.result, (q.get(g.result) ?? 0) + Number(g.n));
  }
}

/** Tally the task's answers with id in (from, to]. */
async function fold(db: Queries, taskId: number, t: AnswerTally, to: number): Promise<void> {
  if (to <= t.upTo) return;
  if (db.dialect === 'postgres') add(t.counts, await db.all<Group>(COUNT_RANGE, [taskId, t.upTo, to]));
  else for await (const [lo, hi] of chunksUp(db, 'polling_results', taskId, t.upTo, to)) add(t.counts, await db.all<Group>(COUNT_RANGE, [taskId, lo, hi]));
  t.upTo = to;
}

/** Answers by question and result, exact as of this read. */
function answerCounts(db: Queries, taskId: number, now: number): Promise<Map<string, Map<string, number>>> {
  return queue.run(db, taskId, async () => {
    const t: AnswerTally = tallies.get(db, taskId) ?? { upTo: 0, counts: new Map() };
    await fold(db, taskId, t, await settledRowId(db, 'polling_results', taskId, t.upTo, now));
    tallies.set(db, taskId, t);
    const out = new Map<string, Map<string, number>>([...t.counts].map(([q, m]) => [q, new Map(m)]));
    add(out, await db.all<Group>(COUNT_AFTER, [taskId, t.upTo]));
    return out;
  });
}

/** What a question says, for a chart's title: its text, else the name of its audio file. */
const questionTitle = (q: { questionText: string | null; questionFile: string | null }) =>
  q.questionText?.trim() || (q.questionFile?.trim() ? basename(q.questionFile.trim()) : '');

/** The task's survey answers (the task must exist); questions in the polling's order, then any no longer in it. */
export async function surveyAnswers(db: Queries, task: { id: number; innerNumType: string; innerNum: string }, now?: number): Promise<SurveyAnswers> {
  const pollingId = task.innerNumType === 'polling' && /^\d{1,15}$/.test(task.innerNum) ? Number(task.innerNum) : undefined;
  const polling = pollingId ? await db.get<{ id: number; crmId: string }>(POLLING, [pollingId]) : undefined;
  const questions = polling ? await db.all<{ crmId: string; questionText: string | null; questionFile: string | null }>(QUESTIONS, [polling.id]) : [];
  const counts = await answerCounts(db, task.id, now ?? Date.now() / 1000);
  const out: SurveyAnswers = { pollingCrmId: polling?.crmId ?? null, questions: [] };
  for (const q of questions) {
    out.questions.push({ questionCrmId: q.crmId, text: questionTitle(q), counts: Object.fromEntries(counts.get(q.crmId) ?? []) });
    counts.delete(q.crmId);
  }
  for (const [questionCrmId, c] of [...counts].sort(([a], [b]) => a.localeCompare(b))) out.questions.push({ questionCrmId, text: '', counts: Object.fromEntries(c) });
  return out;
}
