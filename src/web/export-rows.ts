import type { Queries } from '../db/port.js';
import { ResultCode } from '../domain/result-codes.js';
import { TASK_ID, type StoredTask } from '../services/tasks/store.js';

/** A cell of the export: text, or a number (attemptNumber) that a spreadsheet keeps as a number. */
export type ExportCell = string | number;

/** `result=`: every attempt, the open ones, the closed ones, or those closed with one result code. */
export type ResultFilter = { kind: 'all' } | { kind: 'open' } | { kind: 'done' } | { kind: 'code'; code: string };

const CODES = new Set<string>(Object.values(ResultCode));

/** The `result` query parameter, or null when it is none of: a result code, `open`, `done` (absent/blank = all). */
export function resultFilter(raw: string | undefined): ResultFilter | null {
  const v = (raw ?? '').trim();
  if (v === '') return { kind: 'all' };
  if (v === 'open' || v === 'done') return { kind: v };
  return CODES.has(v) ? { kind: 'code', code: v } : null;
}

export const RESULT_FILTER_HELP = `must be open, done or a result code (${[...CODES].join(', ')})`;

function filterSql(f: ResultFilter): { sql: string; args: unknown[] } {
  switch (f.kind) {
    case 'all':
      return { sql: '', args: [] };
    case 'open':
      return { sql: ' AND closeTime = 0', args: [] };
    case 'done':
      return { sql: ' AND closeTime <> 0', args: [] };
    case 'code':
      return { sql: ' AND result = ?', args: [f.code] };
  }
}

/** The columns of GET /results an operator reads, in that order; the survey's questions follow. */
const FIXED = ['phone', 'clientId', 'result', 'outDialState', 'inDialState', 'state', 'cause', 'attemptNumber', 'changeTime', 'closeTime'];

export interface ExportPlan {
  taskId: number;
  filter: ResultFilter;
  header: string[];
  /** questionCrmIds, one column each after FIXED; empty for a task that is not a survey. */
  questions: string[];
}

/**
 * The export's columns: for a survey, one per question of the task's polling (in the polling's order), then any
 * question answered in this task that the polling no longer has (it was edited since), so no answer is left out.
 */
export async function exportPlan(db: Queries, task: StoredTask, filter: ResultFilter): Promise<ExportPlan> {
  const pollingId = task.innerNumType === 'polling' && /^\d+$/.test(task.innerNum) ? Number(task.innerNum) : NaN;
  const ofPolling = Number.isSafeInteger(pollingId)
    ? (await db.values<string>('SELECT crmId FROM questions WHERE pollingId = ? ORDER BY position, id', [pollingId])).map(String)
    : [];
  const answered = (await db.values<string>(`SELECT DISTINCT questionCrmId FROM polling_results WHERE taskId = ${TASK_ID}`, [task.id])).map(String);
  const known = new Set(ofPolling);
  const questions = [...new Set([...ofPolling, ...answered.filter((q) => !known.has(q)).sort()])];
  return { taskId: task.id, filter, header: [...FIXED, ...questions], questions };
}

/** Rows the export will have (XLSX checks its sheet limit before the first byte goes out). */
export async function exportRowCount(db: Queries, plan: ExportPlan): Promise<number> {
  const f = filterSql(plan.filter);
  return Number(await db.value(`SELECT COUNT(*) FROM task_results WHERE taskId = ${TASK_ID}${f.sql}`, [plan.taskId, ...f.args]));
}

interface AttemptRow {
  id: number;
  phone: string;
  phoneId: string;
  clientId: string;
  linkedId: string | null;
  result: string;
  outDialState: string | null;
  inDialState: string | null;
  state: string;
  cause: string | null;
  attemptNumber: number;
  changeTime: number;
  closeTime: number;
}

/** Rows a statement reads: memory is one page, whatever the task's size. */
export const PAGE_ROWS = 5000;

/**
 * The export's rows in id order, PAGE_ROWS at a time (id keyset: each page one indexed read, never the whole task
 * in memory). Pages are separate reads, not one snapshot: a row that changes meanwhile is exported as it is when
 * its page is read, and none is exported twice or skipped.
 */
export async function* exportPages(db: Queries, plan: ExportPlan): AsyncGenerator<ExportCell[][]> {
  const f = filterSql(plan.filter);
  const sql =
    'SELECT id, phone, phoneId, clientId, linkedId, result, outDialState, inDialState, state, cause, attemptNumber, changeTime, closeTime ' +
    `FROM task_results WHERE taskId = ${TASK_ID} AND id > ?${f.sql} ORDER BY id LIMIT ${PAGE_ROWS}`;
  let after = 0;
  for (;;) {
    const rows = await db.all<AttemptRow>(sql, [plan.taskId, after, ...f.args]);
    if (rows.length === 0) return;
    const answers = plan.questions.length ? await answersOf(db, plan.taskId, rows) : new Map<string, Map<string, string>>();
    yield rows.map((r) => {
      const mine = r.linkedId ? answers.get(r.linkedId) : undefined;
      return [
        r.phone,
        r.clientId,
        r.result,
        r.outDialState ?? '',
        r.inDialState ?? '',
        r.state,
        r.cause ?? '',
        Number(r.attemptNumber),
        isoTime(r.changeTime),
        Number(r.closeTime) === 0 ? '' : isoTime(r.closeTime),
        ...plan.questions.map((q) => mine?.get(q) ?? ''),
      ];
    });
    if (rows.length < PAGE_ROWS) return;
    after = Number(rows[rows.length - 1]!.id);
    // SQLite reads synchronously: let calls and other requests in between two pages, however fast the client reads
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const isoTime = (seconds: number) => new Date(Number(seconds) * 1000).toISOString();

/**
 * The answers given in the calls of one page of attempts (ids from..to), oldest first. Joined on the phone id
 * (indexed) and then the call's linkedId. `+p.taskId`: the unary plus keeps SQLite from looking answers up by the
 * task's index, which would read every answer of the task for each attempt; PostgreSQL picks by cost either way.
 */
const ANSWERS =
  'SELECT p.linkedId, p.questionCrmId, p.result, p.recognizedText FROM task_results t ' +
  'JOIN polling_results p ON p.phoneId = t.phoneId AND p.linkedId = t.linkedId ' +
  `WHERE t.taskId = ${TASK_ID} AND t.id >= ? AND t.id <= ? AND +p.taskId = ${TASK_ID} ORDER BY p.id`;

/**
 * The answers of these attempts: linkedId → question → the last answer (rows are history; the last one per
 * question and call is current, as v1.35 documents). An answer belongs to the call whose channel id the survey
 * stored as its linkedId, which is the attempt's linkedId (the dialer writes it before the survey starts); an
 * attempt without one never reached the survey. The answer is what was pressed, or what speech recognition heard
 * when that was a spoken answer.
 */
async function answersOf(db: Queries, taskId: number, rows: readonly AttemptRow[]): Promise<Map<string, Map<string, string>>> {
  const out = new Map<string, Map<string, string>>();
  const found = await db.all<{ linkedId: string; questionCrmId: string; result: string; recognizedText: string | null }>(ANSWERS, [
    taskId,
    Number(rows[0]!.id),
    Number(rows[rows.length - 1]!.id),
    taskId,
  ]);
  for (const a of found) {
    let call = out.get(a.linkedId);
    if (!call) out.set(a.linkedId, (call = new Map()));
    call.set(a.questionCrmId, a.recognizedText ? a.recognizedText : a.result);
  }
  return out;
}
