import type { Queries } from '../../db/client.js';
import { TASK_COLUMNS, type TaskRow } from '../results/columns.js';
import type { ParsedNumber } from './numbers.js';

/**
 * Task SQL in one place, on the storage port (the database or a transaction's `q`); the adapters cache the
 * prepared statements, so the merge of 100 000 numbers reuses the same few.
 */

export interface TaskFieldValues {
  crmId?: string;
  name?: string;
  innerNum?: string;
  innerNumType?: 'exten' | 'polling';
  maxCountChannels?: number;
  state?: number;
  dialPrefix?: string;
  maxAttempt?: number;
  attemptUntilSignal?: number;
  timeStart?: number;
  timeEnd?: number;
  tryInterval?: number;
  isCallback?: number;
  amd?: '' | 'hangup' | 'message';
  amdMessage?: string;
  amdMessageFile?: string;
  /** Canonical JSON text of the rules ('' = none), as tasks.schema.ts makes it. */
  retryRules?: string;
  /** This task's webhook ('' = only the global one). */
  callbackUrl?: string;
}

export const SETTABLE: readonly (keyof TaskFieldValues)[] = [
  'crmId',
  'name',
  'innerNum',
  'innerNumType',
  'maxCountChannels',
  'state',
  'dialPrefix',
  'maxAttempt',
  'attemptUntilSignal',
  'timeStart',
  'timeEnd',
  'tryInterval',
  'isCallback',
  'amd',
  'amdMessage',
  'amdMessageFile',
  'retryRules',
  'callbackUrl',
];

/** The task as the API answers it: the columns of results/columns.ts, then our webhook URL. */
export type StoredTask = TaskRow & { callbackUrl: string };
export const TASK_SELECT = `${TASK_COLUMNS}, callbackUrl`;

/**
 * A task id compared with task_results.taskId or polling_results.taskId: those are 32-bit on PostgreSQL, and a
 * bigger parameter (any id a URL may carry) would be refused there rather than match nothing.
 */
export const TASK_ID = 'CAST(? AS BIGINT)';

export const taskById = (q: Queries, id: number) => q.get<StoredTask>(`SELECT ${TASK_SELECT} FROM tasks WHERE id = ?`, [id]);

export const taskByCrmId = (q: Queries, crmId: string) =>
  q.get<StoredTask>(`SELECT ${TASK_SELECT} FROM tasks WHERE crmId = ? ORDER BY id LIMIT 1`, [crmId]);

export async function insertTask(q: Queries, fields: TaskFieldValues, now: number): Promise<number> {
  const cols = SETTABLE.filter((k) => fields[k] !== undefined);
  const sql = `INSERT INTO tasks (${[...cols, 'changeTime'].join(', ')}) VALUES (${[...cols, 'changeTime'].map(() => '?').join(', ')}) RETURNING id`;
  const id = Number(await q.value(sql, [...cols.map((k) => fields[k]), now]));
  // crmId defaults to the internal id (original rule 5)
  if (!fields.crmId) await q.run('UPDATE tasks SET crmId = ? WHERE id = ?', [String(id), id]);
  return id;
}

export async function updateTask(q: Queries, id: number, fields: TaskFieldValues, now: number): Promise<void> {
  const cols = SETTABLE.filter((k) => fields[k] !== undefined);
  const sets = [...cols.map((k) => `${k} = ?`), 'changeTime = ?'].join(', ');
  await q.run(`UPDATE tasks SET ${sets} WHERE id = ?`, [...cols.map((k) => fields[k]), now, id]);
}

export interface ExistingNumberRow {
  id: number;
  phoneId: string;
  closeTime: number;
  state: string;
  params: string;
  clientId: string;
  timeCallAllow: number;
  timeOffsetMinutes: number | null;
}

export const numbersOfTask = (q: Queries, taskId: number) =>
  q.all<ExistingNumberRow>(
    'SELECT id, phoneId, closeTime, state, params, clientId, timeCallAllow, timeOffsetMinutes FROM task_results WHERE taskId = ? ORDER BY id',
    [taskId],
  );

const NUMBER_COLUMNS = '(taskId, phoneId, phone, clientId, params, timeCallAllow, timeOffsetMinutes, changeTime, closeTime, state)';
const NUMBER_VALUES = "(?, ?, ?, ?, ?, ?, ?, ?, 0, 'CreateTask')";
/** Rows a multi-row INSERT writes at once: one round trip (PostgreSQL) for 250 numbers, 2 000 parameters. */
export const INSERT_BATCH = 250;
const INSERT_MANY = `INSERT INTO task_results ${NUMBER_COLUMNS} VALUES ${Array(INSERT_BATCH).fill(NUMBER_VALUES).join(', ')}`;
const INSERT_ONE = `INSERT INTO task_results ${NUMBER_COLUMNS} VALUES ${NUMBER_VALUES}`;

const numberParams = (taskId: number, n: ParsedNumber, changeTime: number) =>
  [taskId, n.phoneId, n.phone, n.clientId, n.params, n.timeCallAllow, n.timeOffsetMinutes, changeTime] as const;

/**
 * New numbers of a task, ids in list order: INSERT_BATCH rows a statement, the rest one by one (two statement
 * texts in all, so the prepared-statement caches stay small).
 */
export async function insertNumbers(q: Queries, taskId: number, rows: readonly { n: ParsedNumber; changeTime: number }[]): Promise<void> {
  let i = 0;
  for (; i + INSERT_BATCH <= rows.length; i += INSERT_BATCH) {
    await q.run(INSERT_MANY, rows.slice(i, i + INSERT_BATCH).flatMap((r) => numberParams(taskId, r.n, r.changeTime)));
  }
  for (; i < rows.length; i++) await q.run(INSERT_ONE, numberParams(taskId, rows[i]!.n, rows[i]!.changeTime));
}

export const updateOpenNumber = (q: Queries, id: number, n: ParsedNumber, changeTime: number) =>
  q.run(
    'UPDATE task_results SET params = ?, clientId = ?, timeCallAllow = ?, timeOffsetMinutes = ?, changeTime = ? WHERE id = ? AND closeTime = 0',
    [n.params, n.clientId, n.timeCallAllow, n.timeOffsetMinutes, changeTime, id],
  );

export const markRemoved = (q: Queries, id: number) => q.run('UPDATE task_results SET removed = 1 WHERE id = ? AND closeTime = 0', [id]);

/** Rows a multi-row DELETE removes at once. */
const DELETE_BATCH = 500;
const DELETE_MANY = `DELETE FROM task_results WHERE id IN (${Array(DELETE_BATCH).fill('?').join(', ')})`;

/** Rows of a task by id: DELETE_BATCH a statement, the rest one by one (two statement texts in all). */
export async function deleteResults(q: Queries, ids: readonly number[]): Promise<void> {
  let i = 0;
  for (; i + DELETE_BATCH <= ids.length; i += DELETE_BATCH) await q.run(DELETE_MANY, ids.slice(i, i + DELETE_BATCH));
  for (; i < ids.length; i++) await q.run('DELETE FROM task_results WHERE id = ?', [ids[i]]);
}
