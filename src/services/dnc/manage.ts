import { normaliseNumber, phoneIdOf } from '../../domain/phone.js';
import { fail, ok, type Outcome, type ServiceCtx } from '../context.js';
import { sqliteRealText } from '../results/sqlite-real.js';
import { deleteDnc, insertDnc, selectDnc, type DncEntry, type DncRow } from './store.js';

/** The do-not-call list through the API: add, remove, list. CSV import is import-csv.ts. */

/** taskId 0 (or omitted) = the global list; another must name an existing task. */
export async function checkDncTask(ctx: ServiceCtx, taskId: number): Promise<string | null> {
  if (taskId === 0) return null;
  const found = await ctx.db.value('SELECT 1 FROM tasks WHERE id = ?', [taskId]);
  return found === undefined ? `Field "taskId": task ${taskId} does not exist (0 or omitted = the global list)` : null;
}

export interface DncAdded {
  taskId: number;
  added: number;
  alreadyListed: number;
}

/** POST /dnc: every number valid or nothing is written; messages name each bad entry (`numbers[2]`). */
export async function addDnc(ctx: ServiceCtx, input: { numbers: readonly unknown[]; taskId: number; reason: string }): Promise<Outcome<DncAdded>> {
  const messages: string[] = [];
  const entries: DncEntry[] = [];
  input.numbers.forEach((raw, i) => {
    const n = normaliseNumber(raw);
    if (!n.ok) messages.push(`Number "${String(raw)}" (numbers[${i}]) ${n.reason}`);
    else entries.push({ phone: n.number, phoneId: phoneIdOf(n.number) });
  });
  if (messages.length) return fail(messages.length > 20 ? [...messages.slice(0, 20), `... and ${messages.length - 20} more invalid numbers`] : messages);
  if (entries.length === 0) return fail('Field "numbers" must list at least one number');
  const taskErr = await checkDncTask(ctx, input.taskId);
  if (taskErr) return fail(taskErr);
  const now = ctx.now();
  const added = await ctx.db.tx((q) => insertDnc(q, input.taskId, entries, input.reason, now));
  ctx.log.info({ taskId: input.taskId, numbers: entries.length, added }, 'do-not-call numbers added');
  return ok({ taskId: input.taskId, added, alreadyListed: entries.length - added });
}

/** DELETE /dnc/{phone}?taskId=: from the global list (taskId 0 / omitted) or a task's. */
export async function removeDnc(ctx: ServiceCtx, phone: string, taskId: number): Promise<Outcome<{ removed: number }>> {
  const n = normaliseNumber(phone);
  if (!n.ok) return fail(`Field "phone" "${phone}" ${n.reason}`);
  const removed = await deleteDnc(ctx.db, taskId, phoneIdOf(n.number));
  ctx.log.info({ taskId, phone: n.number, removed }, 'do-not-call number removed');
  return ok({ removed }, removed ? [] : [`Number ${n.number} is not on the ${taskId ? `list of task ${taskId}` : 'global list'}`]);
}

/** An entry in the JSON types of the v1 answers: database values as strings. */
const v1Dnc = (r: DncRow) => ({
  id: String(r.id),
  taskId: String(r.taskId),
  phoneId: r.phoneId,
  phone: r.phone,
  reason: r.reason,
  addedAt: r.addedAt === 0 ? '0' : sqliteRealText(r.addedAt),
});

/** GET /dnc: ordered by id, `offset` a keyset (id > offset) as GET /task; `phone` matched on its last 10 digits. */
export async function listDnc(
  ctx: ServiceCtx,
  f: { taskId?: number; phone?: string; offset?: number; limit?: number },
): Promise<Outcome<{ results: ReturnType<typeof v1Dnc>[] }>> {
  let phoneId: string | undefined;
  if (f.phone !== undefined) {
    const n = normaliseNumber(f.phone);
    if (!n.ok) return fail(`Field "phone" "${f.phone}" ${n.reason}`);
    phoneId = phoneIdOf(n.number);
  }
  const rows = await selectDnc(ctx.db, { taskId: f.taskId, phoneId, offset: f.offset, limit: f.limit ?? 1000 });
  return ok({ results: rows.map(v1Dnc) });
}
