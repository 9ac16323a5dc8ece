import { z } from 'zod';
import type { Queries } from '../db/port.js';
import { normaliseNumber, phoneIdOf } from '../domain/phone.js';
import type { AnswerRow, AttemptsOfNumber } from './api-types.js';
import { NUMBER_COLUMNS, toNumberRow, type NumberDbRow } from './number-rows.js';

/** GET /cockpit/api/campaigns/:id/attempts?phone= parameters: a phone number as stored or as a person types it. */
export const AttemptsQuery = z.object({
  phone: z
    .string({ error: 'is required' })
    .transform((raw, ctx) => {
      const n = normaliseNumber(raw);
      if (!n.ok) ctx.addIssue({ code: 'custom', message: n.reason });
      return n.ok ? n.number : '';
    }),
});

type AttemptDbRow = NumberDbRow & { phoneId: string; linkedId: string | null };
type AnswerDbRow = AnswerRow & { linkedId: string | null };

// (taskId, phone): task_results_phone; the number's other spellings share its phoneId. `+taskId` keeps SQLite on
// the phoneId indexes (a few rows): left to itself it took an index on taskId and read the whole task.
const BY_PHONE = `SELECT ${NUMBER_COLUMNS}, phoneId, linkedId FROM task_results WHERE taskId = ? AND phone = ? ORDER BY id`;
const BY_PHONE_ID = `SELECT ${NUMBER_COLUMNS}, phoneId, linkedId FROM task_results WHERE phoneId = ? AND +taskId = ? ORDER BY id`;
const ANSWERS = `SELECT questionCrmId, result, exten, recognizedText, changeTime, linkedId
    FROM polling_results WHERE phoneId = ? AND +taskId = ? ORDER BY id`;

/**
 * Every attempt at one number in the task, oldest first, each with the survey answers stored during its call
 * (polling_results of the same call: its linkedId, the channel the dialer opened for the attempt).
 */
export async function attemptsOfNumber(db: Queries, taskId: number, phone: string): Promise<AttemptsOfNumber> {
  let rows = await db.all<AttemptDbRow>(BY_PHONE, [taskId, phone]);
  // typed with another prefix (8… for 7…): the same subscriber by the number's identity in a task
  if (rows.length === 0) rows = await db.all<AttemptDbRow>(BY_PHONE_ID, [phoneIdOf(phone), taskId]);
  const byCall = new Map<string, AnswerRow[]>();
  if (rows.length) {
    for (const { linkedId, ...a } of await db.all<AnswerDbRow>(ANSWERS, [rows[0]!.phoneId, taskId])) {
      if (!linkedId) continue;
      const list = byCall.get(linkedId) ?? [];
      list.push({ ...a, recognizedText: a.recognizedText ?? null, changeTime: Number(a.changeTime) });
      byCall.set(linkedId, list);
    }
  }
  return {
    phone: rows[0]?.phone ?? phone,
    attempts: rows.map((r) => ({ ...toNumberRow(r), answers: (r.linkedId && byCall.get(r.linkedId)) || [] })),
  };
}
