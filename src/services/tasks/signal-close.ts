import { normaliseNumber, phoneIdOf } from '../../domain/phone.js';
import { ResultCode } from '../../domain/result-codes.js';
import { fail, ok, type Outcome, type ServiceCtx } from '../context.js';

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
export function signalClose(ctx: ServiceCtx, input: { phone?: string | number | null; taskId?: number }): Outcome<SignalCloseResult> {
  if (input.phone === undefined || input.phone === null || String(input.phone).trim() === '') return fail('error phone');
  const n = normaliseNumber(input.phone);
  if (!n.ok) return fail(`Field "phone" "${String(input.phone)}" ${n.reason}`);
  const phoneId = phoneIdOf(n.number);
  const now = ctx.now();
  const db = ctx.db.$client;

  const result = db
    .transaction(() => {
      const byTask = input.taskId !== undefined ? ' AND taskId = ?' : '';
      const args: (string | number)[] = input.taskId !== undefined ? [phoneId, input.taskId] : [phoneId];
      const hit = db
        .prepare(`SELECT id, taskId, clientId FROM task_results WHERE phoneId = ? AND closeTime = 0${byTask}`)
        .all(...args) as { id: number; taskId: number; clientId: string }[];
      const close = db.prepare(
        `UPDATE task_results SET result = '${ResultCode.SUCCESS_EXTERNAL_SIGNAL}', closeTime = ?, changeTime = ? WHERE id = ? AND closeTime = 0`,
      );
      const closeClient = db.prepare(
        `UPDATE task_results SET result = '${ResultCode.SUCCESS_EXTERNAL_SIGNAL}', closeTime = ?, changeTime = ? WHERE taskId = ? AND clientId = ? AND closeTime = 0`,
      );
      let closed = 0;
      const taskIds = new Set<number>();
      for (const r of hit) closed += close.run(now, now, r.id).changes;
      for (const r of hit) {
        taskIds.add(r.taskId);
        if (r.clientId !== '') closed += closeClient.run(now, now, r.taskId, r.clientId).changes;
      }
      return { closed, taskIds: [...taskIds] };
    })
    .immediate();
  ctx.log.info({ phoneId, taskId: input.taskId, ...result }, 'task-signal-close');
  return ok(result, result.closed ? [] : [`No open numbers matched phone ${n.number}`]);
}
