import { dbVersion, fail, ok, stmt, type Outcome, type ServiceCtx } from '../context.js';
import { RawJson } from '../../raw-json.js';
import { jsonRow, POLLING_RESULT_FIELDS, RESULT_FIELDS, TASK_COLUMNS, type TaskRow } from '../results/columns.js';
import { jsonRows } from '../results/index.js';
import { v1Task } from '../results/v1.js';
import { taskById } from './store.js';

/** GET /task: ordered by id; `offset` is a keyset (id > offset), not "skip N". Fields as strings (v1Task). */
export function listTasks(ctx: ServiceCtx, q: { state?: number; offset?: number; limit?: number }): ReturnType<typeof v1Task>[] {
  const where: string[] = [];
  const args: number[] = [];
  if (q.state !== undefined) (where.push('state = ?'), args.push(q.state));
  if (q.offset !== undefined) (where.push('id > ?'), args.push(q.offset));
  const sql =
    `SELECT ${TASK_COLUMNS} FROM tasks` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ' ORDER BY id' +
    (q.limit !== undefined ? ' LIMIT ?' : '');
  if (q.limit !== undefined) args.push(q.limit);
  return (stmt(ctx.db, `listTasks:${sql}`, () => ctx.db.$client.prepare(sql)).all(...args) as TaskRow[]).map(v1Task);
}


/**
 * Recently read tasks, valid while the database version is unchanged. CRMs poll GET /task/{id} in
 * loops; between two writes the answer cannot change, so it is served without touching the tables.
 */
const taskCache = new WeakMap<object, { version: string; bytes: number; byId: Map<number, RawJson> }>();
/**
 * Bounded by bytes and by entries: 64 tasks of a few thousand numbers each would otherwise hold 100+ MB,
 * and thousands of tiny answers would each keep an 8 KB slab of Node's Buffer pool alive.
 */
const CACHE_BYTES = 4 * 1024 * 1024;
const CACHE_ENTRY_BYTES = 512 * 1024;
const CACHE_ENTRIES = 64;

/** GET /task/{id}: the task with every attempt row and every polling answer of the task. */
export function getTask(ctx: ServiceCtx, id: number): Outcome<RawJson> {
  const version = dbVersion(ctx.db);
  let cache = taskCache.get(ctx.db.$client);
  if (!cache || cache.version !== version) taskCache.set(ctx.db.$client, (cache = { version, bytes: 0, byId: new Map() }));
  const hit = cache.byId.get(id);
  if (hit) return ok(hit);

  const task = taskById(ctx.db, id);
  if (!task) return fail(`Task ${id} not found`, []);
  const results = jsonRows(ctx, 'resultsOfTask', `SELECT ${jsonRow(RESULT_FIELDS)} FROM task_results WHERE taskId = ? ORDER BY id`, id);
  const resultsPoling = jsonRows(ctx, 'pollingResultsOfTask', `SELECT ${jsonRow(POLLING_RESULT_FIELDS)} FROM polling_results WHERE taskId = ? ORDER BY id`, id);
  // the whole answer rendered once: a cache hit then costs no serialisation at all
  const data = RawJson.object({ ...v1Task(task), results, resultsPoling });
  // only small answers are worth keeping; a 100 000-number task is read rarely and costs memory
  if (data.byteLength <= CACHE_ENTRY_BYTES) {
    for (const [oldId, old] of cache.byId) {
      if (cache.bytes + data.byteLength <= CACHE_BYTES && cache.byId.size < CACHE_ENTRIES) break;
      cache.byId.delete(oldId);
      cache.bytes -= old.byteLength;
    }
    cache.byId.set(id, data);
    cache.bytes += data.byteLength;
  }
  return ok(data);
}

/** DELETE /task/{id}: the task and all its rows; polling answers stay (CRM history). Idempotent. */
export function deleteTask(ctx: ServiceCtx, id: number): { deleted: boolean } {
  const deleted = ctx.db.$client
    .transaction(() => {
      ctx.db.$client.prepare('DELETE FROM task_results WHERE taskId = ?').run(id);
      return ctx.db.$client.prepare('DELETE FROM tasks WHERE id = ?').run(id).changes > 0;
    })
    .immediate();
  if (deleted) ctx.log.info({ taskId: id }, 'task deleted');
  return { deleted };
}
