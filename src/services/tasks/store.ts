import type Database from 'better-sqlite3';
import type { Db } from '../../db/client.js';
import { stmt } from '../context.js';
import { TASK_COLUMNS, type TaskRow } from '../results/columns.js';

/** Task SQL in one place. Plain prepared statements: the merge of 100 000 numbers runs through these. */

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
];

const prep = (db: Db, key: string, sql: string) => stmt(db, key, () => db.$client.prepare(sql));

export const taskById = (db: Db, id: number) =>
  prep(db, 'taskById', `SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ?`).get(id) as TaskRow | undefined;

export const taskByCrmId = (db: Db, crmId: string) =>
  prep(db, 'taskByCrmId', `SELECT ${TASK_COLUMNS} FROM tasks WHERE crmId = ? ORDER BY id LIMIT 1`).get(crmId) as
    | TaskRow
    | undefined;

export function insertTask(db: Db, fields: TaskFieldValues, now: number): number {
  const cols = SETTABLE.filter((k) => fields[k] !== undefined);
  const sql = `INSERT INTO tasks (${[...cols, 'changeTime'].join(', ')}) VALUES (${[...cols, 'changeTime'].map(() => '?').join(', ')})`;
  const info = db.$client.prepare(sql).run(...cols.map((k) => fields[k]), now);
  const id = Number(info.lastInsertRowid);
  // crmId defaults to the internal id (original rule 5)
  if (!fields.crmId) prep(db, 'taskSetCrmId', 'UPDATE tasks SET crmId = ? WHERE id = ?').run(String(id), id);
  return id;
}

export function updateTask(db: Db, id: number, fields: TaskFieldValues, now: number): void {
  const cols = SETTABLE.filter((k) => fields[k] !== undefined);
  const sets = [...cols.map((k) => `${k} = ?`), 'changeTime = ?'].join(', ');
  db.$client.prepare(`UPDATE tasks SET ${sets} WHERE id = ?`).run(...cols.map((k) => fields[k]), now, id);
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

export const numbersOfTask = (db: Db, taskId: number) =>
  prep(
    db,
    'numbersOfTask',
    'SELECT id, phoneId, closeTime, state, params, clientId, timeCallAllow, timeOffsetMinutes FROM task_results WHERE taskId = ? ORDER BY id',
  ).all(taskId) as ExistingNumberRow[];

export const insertNumberStmt = (db: Db): Database.Statement =>
  prep(
    db,
    'insertNumber',
    `INSERT INTO task_results (taskId, phoneId, phone, clientId, params, timeCallAllow, timeOffsetMinutes, changeTime, closeTime, state)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 'CreateTask')`,
  );

export const updateOpenNumberStmt = (db: Db): Database.Statement =>
  prep(
    db,
    'updateOpenNumber',
    'UPDATE task_results SET params = ?, clientId = ?, timeCallAllow = ?, timeOffsetMinutes = ?, changeTime = ? WHERE id = ? AND closeTime = 0',
  );

export const markRemovedStmt = (db: Db): Database.Statement =>
  prep(db, 'markRemoved', 'UPDATE task_results SET removed = 1 WHERE id = ? AND closeTime = 0');

export const deleteResultStmt = (db: Db): Database.Statement =>
  prep(db, 'deleteResult', 'DELETE FROM task_results WHERE id = ?');

