import { fail, ok, type Outcome, type ServiceCtx } from '../context.js';
import type { TaskRow } from '../results/columns.js';
import { amdFileWarnings, checkAmdMessage, setsAmd, trimAmdFile } from './call-features.js';
import { enqueueTaskState } from '../../webhooks/outbox.js';
import { taskByCrmId, taskById, updateTask, type StoredTask, type TaskFieldValues } from './store.js';
import { checkInnerNum, checkPollingTarget, SaveRefused } from './upsert.js';

/**
 * PUT /task/{id}: partial update. A non-empty crmId in the body is the lookup key (the URL id is then
 * ignored, as in the original); an omitted crmId is preserved (the Aug 2026 upstream fix). Numbers are
 * not touched. A body that sets innerNum or innerNumType must leave the task naming an existing polling when
 * it is a polling task; a PUT that only pauses or closes is never refused for a polling deleted since.
 */
export async function changeTask(ctx: ServiceCtx, urlId: number | null, input: TaskFieldValues): Promise<Outcome<TaskRow>> {
  const fields = { ...input };
  if (fields.crmId === '') delete fields.crmId;
  const innerErr = checkInnerNum(fields, false);
  if (innerErr) return fail(innerErr);
  trimAmdFile(fields);
  if (!fields.crmId && urlId === null) return fail('Task id in the URL must be a positive integer', { error: 'TaskNotFound' });

  const now = ctx.now();
  let changed: StoredTask | undefined;
  try {
    changed = await ctx.db.tx(async (q) => {
      const task = fields.crmId ? await taskByCrmId(q, fields.crmId) : await taskById(q, urlId!);
      if (!task) return task;
      if (fields.innerNum !== undefined || fields.innerNumType !== undefined) {
        const err = await checkPollingTarget(q, fields.innerNumType ?? task.innerNumType, fields.innerNum ?? task.innerNum);
        if (err) throw new SaveRefused(err);
      }
      const amdErr = setsAmd(fields) ? checkAmdMessage(task, fields) : null;
      if (amdErr) throw new SaveRefused(amdErr);
      await updateTask(q, task.id, fields, now);
      const after = (await taskById(q, task.id))!;
      // paused / resumed / closed: the task.state webhook commits with the change
      await enqueueTaskState(q, after, task.state, after.state, 'api', now);
      return after;
    });
  } catch (e) {
    if (e instanceof SaveRefused) return fail(e.message);
    throw e;
  }
  if (!changed) {
    const what = fields.crmId ? `crmId "${fields.crmId}"` : `id ${urlId}`;
    return fail(`Task with ${what} not found`, { error: 'TaskNotFound' });
  }
  ctx.log.info({ taskId: changed.id, fields: Object.keys(fields) }, 'task changed');
  return ok(changed, amdFileWarnings(fields));
}
