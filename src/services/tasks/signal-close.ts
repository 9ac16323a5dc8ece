import { normaliseNumber, phoneIdOf } from '../../domain/phone.js';
import { ResultCode } from '../../domain/result-codes.js';
import { fail, ok, type Outcome, type ServiceCtx } from '../context.js';
import type { Queries } from '../../db/port.js';
import { enqueueCallResults } from '../../webhooks/outbox.js';
import { TASK_ID } from './store.js';

export interface SignalCloseResult {
  closed: number;
  taskIds: number[];
}

/**
 * POST /task-signal-close: the CRM says "done" for a phone. Every OPEN row of that phone (in one task or
 * in all) is closed with SUCCESS_EXTERNAL_SIGNAL, then every open row of the same client in the same
 * task. Rows without a clientId are not a client: unlike v1.35, signalling one number of a task without
 * clientIds closes only that number. One transaction; an empty phone changes nothing.
 */
const CLOSE = `UPDATE task_results SET result = '${ResultCode.SUCCESS_EXTERNAL_SIGNAL}', closeTime = ?, changeTime = ? WHERE id = ? AND closeTime = 0 RETURNING *`;
const CLOSE_CLIENT = `UPDATE task_results SET result = '${ResultCode.SUCCESS_EXTERNAL_SIGNAL}', closeTime = ?, changeTime = ? WHERE taskId = ? AND clientId = ? AND closeTime = 0 RETURNING *`;

/** Every row closed here got its result: a call.result webhook each, in the same transaction. */
async function closeRows(q: Queries, sql: string, args: unknown[], now: number): Promise<number> {
  const rows = await q.all<{ id: number; taskId: number } & Record<string, unknown>>(sql, args);
  if (rows.length) await enqueueCallResults(q, await q.get<{ callbackUrl: string }>('SELECT callbackUrl FROM tasks WHERE id = ?', [rows[0]!.taskId]), rows, now);
  return rows.length;
}

export async function signalClose(ctx: ServiceCtx, input: { phone?: string | number | null; taskId?: number }): Promise<Outcome<SignalCloseResult>> {
  if (input.phone === undefined || input.phone === null || String(input.phone).trim() === '') return fail('error phone');
  const n = normaliseNumber(input.phone);
  if (!n.ok) return fail(`Field "phone" "${String(input.phone)}" ${n.reason}`);
  const phoneId = phoneIdOf(n.number);
  const now = ctx.now();

  const result = await ctx.db.tx(async (q) => {
    const byTask = input.taskId !== undefined ? ` AND taskId = ${TASK_ID}` : '';
    const args: (string | number)[] = input.taskId !== undefined ? [phoneId, input.taskId] : [phoneId];
    const hit = await q.all<{ id: number; taskId: number; clientId: string }>(
      `SELECT id, taskId, clientId FROM task_results WHERE phoneId = ? AND closeTime = 0${byTask}`,
      args,
    );
    let closed = 0;
    const taskIds = new Set<number>();
    for (const r of hit) closed += await closeRows(q, CLOSE, [now, now, r.id], now);
    for (const r of hit) {
      taskIds.add(r.taskId);
      if (r.clientId !== '') closed += await closeRows(q, CLOSE_CLIENT, [now, now, r.taskId, r.clientId], now);
    }
    return { closed, taskIds: [...taskIds] };
  });
  ctx.log.info({ phoneId, taskId: input.taskId, ...result }, 'task-signal-close');
  return ok(result, result.closed ? [] : [`No open numbers matched phone ${n.number}`]);
}
