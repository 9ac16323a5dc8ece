import { dbVersion, fail, ok, type Outcome, type ServiceCtx } from '../context.js';
import { RawJson } from '../../raw-json.js';
import { POLLING_RESULT_FIELDS, RESULT_FIELDS } from '../results/columns.js';
import { enqueueTaskState } from '../../webhooks/outbox.js';
import { jsonRowsById } from '../results/index.js';
import { v1Task } from '../results/v1.js';
import { TASK_ID, TASK_SELECT, taskById, type StoredTask } from './store.js';

/** GET /task: ordered by id; `offset` is a keyset (id > offset), not "skip N". Fields as strings (v1Task). */
export async function listTasks(ctx: ServiceCtx, q: { state?: number; offset?: number; limit?: number }): Promise<ReturnType<typeof v1Task>[]> {
  const where: string[] = [];
  const args: number[] = [];
  if (q.state !== undefined) (where.push('state = ?'), args.push(q.state));
  if (q.offset !== undefined) (where.push('id > ?'), args.push(q.offset));
  const sql =
    `SELECT ${TASK_SELECT} FROM tasks` +
    (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
    ' ORDER BY id' +
    (q.limit !== undefined ? ' LIMIT ?' : '');
  if (q.limit !== undefined) args.push(q.limit);
  return (await ctx.db.all<StoredTask>(sql, args)).map(v1Task);
}

/**
 * Recently read tasks, valid while the database version is unchanged. CRMs poll GET /task/{id} in
 * loops; between two writes the answer cannot change, so it is served without touching the tables.
 * Only where the database tells its version (SQLite); on PostgreSQL other nodes write, so nothing is kept.
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
export async function getTask(ctx: ServiceCtx, id: number): Promise<Outcome<RawJson>> {
  // read before the queries: a write landing while they run then moves the version past what is cached
  const version = dbVersion(ctx.db);
  let cache = version === undefined ? undefined : taskCache.get(ctx.db);
  if (version !== undefined && (!cache || cache.version !== version)) taskCache.set(ctx.db, (cache = { version, bytes: 0, byId: new Map() }));
  const hit = cache?.byId.get(id);
  if (hit) return ok(hit);

  const task = await taskById(ctx.db, id);
  if (!task) return fail(`Task ${id} not found`, []);
  const results = await jsonRowsById(ctx, RESULT_FIELDS, 'task_results', `taskId = ${TASK_ID}`, [id]);
  const resultsPoling = await jsonRowsById(ctx, POLLING_RESULT_FIELDS, 'polling_results', `taskId = ${TASK_ID}`, [id]);
  // the whole answer rendered once: a cache hit then costs no serialisation at all
  const data = RawJson.object({ ...v1Task(task), results, resultsPoling });
  // only small answers are worth keeping; a 100 000-number task is read rarely and costs memory
  if (cache && data.byteLength <= CACHE_ENTRY_BYTES) {
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

/**
 * DELETE /task/{id}: the task, all its rows and its own do-not-call numbers; polling answers stay (CRM history).
 * Idempotent. A task.state webhook ("deleted") is queued in the same transaction.
 */
export async function deleteTask(ctx: ServiceCtx, id: number): Promise<{ deleted: boolean }> {
  const now = ctx.now();
  const deleted = await ctx.db.tx(async (q) => {
    const task = await taskById(q, id);
    await q.run(`DELETE FROM task_results WHERE taskId = ${TASK_ID}`, [id]);
    await q.run(`DELETE FROM dnc WHERE taskId = ${TASK_ID}`, [id]);
    if (!task) return false;
    await q.run('DELETE FROM tasks WHERE id = ?', [id]);
    await enqueueTaskState(q, task, task.state, 'deleted', 'deleted', now);
    return true;
  });
  if (deleted) ctx.log.info({ taskId: id }, 'task deleted');
  return { deleted };
}
