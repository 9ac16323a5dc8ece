import type { Queries } from '../../db/port.js';

/**
 * Do-not-call SQL in one place. A number is identified by its phoneId (last 10 digits, as task numbers): listing
 * 8900… blocks 7900… too. taskId 0 = the global list; any other = that task's own list. The dialer checks both in
 * the statement that marks a row sent (services/attempts/record.ts markOriginateSentUnlessDnc).
 */

export interface DncEntry {
  phoneId: string;
  phone: string;
}

export interface DncRow {
  id: number;
  taskId: number;
  phoneId: string;
  phone: string;
  reason: string;
  addedAt: number;
}

const COLUMNS = '(taskId, phoneId, phone, reason, addedAt)';
const VALUES = '(?, ?, ?, ?, ?)';
/** Rows one INSERT writes: 1 250 parameters, one round trip on PostgreSQL. */
export const DNC_INSERT_BATCH = 250;
const INSERT_MANY = `INSERT INTO dnc ${COLUMNS} VALUES ${Array(DNC_INSERT_BATCH).fill(VALUES).join(', ')} ON CONFLICT (taskId, phoneId) DO NOTHING`;
const INSERT_ONE = `INSERT INTO dnc ${COLUMNS} VALUES ${VALUES} ON CONFLICT (taskId, phoneId) DO NOTHING`;

/** Add numbers to a list; one already listed keeps its entry (reason, addedAt). Answers how many were new. */
export async function insertDnc(q: Queries, taskId: number, entries: readonly DncEntry[], reason: string, now: number): Promise<number> {
  const params = (e: DncEntry) => [taskId, e.phoneId, e.phone, reason, now];
  let added = 0;
  let i = 0;
  for (; i + DNC_INSERT_BATCH <= entries.length; i += DNC_INSERT_BATCH) {
    added += await q.run(INSERT_MANY, entries.slice(i, i + DNC_INSERT_BATCH).flatMap(params));
  }
  for (; i < entries.length; i++) added += await q.run(INSERT_ONE, params(entries[i]!));
  return added;
}

export const deleteDnc = (q: Queries, taskId: number, phoneId: string) => q.run('DELETE FROM dnc WHERE taskId = ? AND phoneId = ?', [taskId, phoneId]);

export interface DncQuery {
  taskId?: number;
  phoneId?: string;
  /** Keyset: entries with id > offset (as GET /task). */
  offset?: number;
  limit: number;
}

export function selectDnc(q: Queries, f: DncQuery): Promise<DncRow[]> {
  const where: string[] = [];
  const args: (string | number)[] = [];
  if (f.taskId !== undefined) (where.push('taskId = ?'), args.push(f.taskId));
  if (f.phoneId !== undefined) (where.push('phoneId = ?'), args.push(f.phoneId));
  if (f.offset !== undefined) (where.push('id > ?'), args.push(f.offset));
  args.push(f.limit);
  return q.all<DncRow>(
    `SELECT id, taskId, phoneId, phone, reason, addedAt FROM dnc${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`,
    args,
  );
}

/** Whether a task's number may not be dialed: on the global list or the task's. */
export async function isOnDnc(q: Queries, taskId: number, phoneId: string): Promise<boolean> {
  return (await q.value('SELECT 1 FROM dnc WHERE phoneId = ? AND taskId IN (0, ?) LIMIT 1', [phoneId, taskId])) !== undefined;
}
