import type { Queries } from '../../db/client.js';
import { fail, ok, type Outcome, type ServiceCtx } from '../context.js';
import type { TaskRow } from '../results/columns.js';
import { amdFileWarnings, checkAmdMessage, setsAmd, trimAmdFile } from './call-features.js';
import { mergeNumbers, type MergeStats } from './merge.js';
import { InvalidNumberList, newNumberListCheck, numberListMessages, parsedNumbers, type NumberItemInput } from './numbers.js';
import { enqueueTaskState } from '../../webhooks/outbox.js';
import { insertTask, taskByCrmId, taskById, updateTask, type StoredTask, type TaskFieldValues } from './store.js';

export interface TaskUpsertInput extends TaskFieldValues {
  id?: number;
  /** undefined/null: leave the task's numbers as they are; [] removes them all. */
  numbers?: readonly NumberItemInput[] | null;
}

export const INNER_NUM_REQUIRED = 'Field "innerNum" is required and cannot be empty';
const INNER_NUM = /^[0-9A-Za-z*#+_.-]+$/;

/** Checks shared by POST and PUT on the innerNum that will be dialed or used as a polling id. */
export function checkInnerNum(fields: TaskFieldValues, required: boolean): string | null {
  if (fields.innerNum === undefined) return required ? INNER_NUM_REQUIRED : null;
  fields.innerNum = fields.innerNum.trim();
  if (fields.innerNum === '') return INNER_NUM_REQUIRED;
  if (!INNER_NUM.test(fields.innerNum)) return `Field "innerNum" "${fields.innerNum}" may contain only letters, digits and * # + _ . -`;
  return null;
}

/**
 * A polling task dials customers into the survey its innerNum names; one that names no saved polling would
 * reach no survey, so the save is refused (the original saved it, and its calls went nowhere).
 */
export async function checkPollingTarget(q: Queries, innerNumType: string, innerNum: string): Promise<string | null> {
  if (innerNumType !== 'polling' || (await pollingExists(q, innerNum))) return null;
  return `Field "innerNum": polling "${innerNum}" does not exist (with innerNumType "polling", innerNum must be the internal id of a saved polling)`;
}

/** Thrown inside a transaction to roll it back and answer the message. */
export class SaveRefused extends Error {}

/**
 * POST /task: create or upsert (by non-empty crmId, else by id) and merge the number list, all in one
 * transaction; on any error nothing is written. [L] rule: a client-supplied id is only a lookup key, new
 * tasks always get the next id.
 */
export async function upsertTask(ctx: ServiceCtx, input: TaskUpsertInput): Promise<Outcome<TaskRow>> {
  const { id, numbers: items, ...fields } = input;
  const innerErr = checkInnerNum(fields, true);
  if (innerErr) return fail(innerErr);
  trimAmdFile(fields);

  // The list is parsed as it is merged, one number at a time, inside the transaction: no parsed copy of all
  // 100 000 numbers (~25 MB with params) exists at once. Any invalid number rolls the whole transaction back,
  // so nothing is written, as before; the answer names the invalid numbers.
  const check = newNumberListCheck();
  if (fields.crmId === '') delete fields.crmId;

  const now = ctx.now();
  let saved: { row: StoredTask; stats: MergeStats | null };
  try {
    saved = await ctx.db.tx(async (q) => {
      // Saves of one crmId one after another, as on SQLite (one writer): two at once must not both create it.
      // An existing task's row is locked by updateTask until the commit, so merges of one task queue too.
      if (fields.crmId && q.dialect === 'postgres') await q.value('SELECT pg_advisory_xact_lock(hashtext(?))', [`task:${fields.crmId}`]);
      const existing = fields.crmId ? await taskByCrmId(q, fields.crmId) : id ? await taskById(q, id) : undefined;
      const pollingErr = await checkPollingTarget(q, fields.innerNumType ?? existing?.innerNumType ?? 'exten', fields.innerNum!);
      if (pollingErr) throw new SaveRefused(pollingErr);
      const amdErr = setsAmd(fields) ? checkAmdMessage(existing, fields) : null;
      if (amdErr) throw new SaveRefused(amdErr);
      let taskId: number;
      if (existing) {
        taskId = existing.id;
        await updateTask(q, taskId, fields, now);
      } else {
        taskId = await insertTask(q, fields, now);
      }
      // an invalid number makes parsedNumbers throw InvalidNumberList at the end of the list: all rolled back
      const stats = items ? await mergeNumbers(q, taskId, parsedNumbers(items, ctx.config.timezone, check), now) : null;
      // read back inside the transaction: on PostgreSQL another node could change it right after the commit
      const row = (await taskById(q, taskId))!;
      // a re-POST that pauses, resumes or closes an existing task: its task.state webhook commits with it
      if (existing) await enqueueTaskState(q, row, existing.state, row.state, 'api', now);
      return { row, stats };
    });
  } catch (e) {
    if (e instanceof InvalidNumberList) return fail(numberListMessages(e.check));
    if (e instanceof SaveRefused) return fail(e.message);
    throw e;
  }
  const { row, stats } = saved;
  const warnings = [...check.warnings, ...amdFileWarnings(fields)];
  ctx.log.info({ taskId: row.id, crmId: row.crmId, numbers: stats }, 'task saved');
  return ok(row, warnings);
}

/** Polling ids are whole numbers; one past 2^53 names no polling (and is no parameter PostgreSQL takes). */
async function pollingExists(q: Queries, innerNum: string): Promise<boolean> {
  const id = /^\d+$/.test(innerNum) ? Number(innerNum) : NaN;
  if (!Number.isSafeInteger(id)) return false;
  return (await q.value('SELECT 1 FROM pollings WHERE id = ?', [id])) !== undefined;
}
