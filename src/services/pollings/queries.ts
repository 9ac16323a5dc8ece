import { fail, ok, type Outcome, type ServiceCtx } from '../context.js';
import type { PollingSummary } from './save.js';
import { pollingsChanged } from './version.js';
import { v1IdRow } from '../results/v1.js';

export function listPollings(ctx: ServiceCtx): PollingSummary[] {
  return ctx.db.$client.prepare('SELECT id, crmId, name FROM pollings ORDER BY id').all() as PollingSummary[];
}

interface QuestionRow {
  id: number;
  crmId: string;
  questionText: string | null;
  questionFile: string | null;
  lang: string;
  timeout: number;
  defPress: string | null;
  type: string;
  nextQuestion: string | null;
}

/**
 * GET /polling/{id}: the original's nested shape {id, crmId, name, questions:[{id, questionText,
 * questionFile, lang, press:[…]}]}, plus the v1.35 question fields and questionId so a client can
 * round-trip a polling. Every value is a string or null (press rows are all TEXT columns).
 */
export function getPolling(ctx: ServiceCtx, id: number): Outcome<unknown> {
  const db = ctx.db.$client;
  const p = db.prepare('SELECT id, crmId, name FROM pollings WHERE id = ?').get(id) as PollingSummary | undefined;
  if (!p) return fail(`Polling ${id} not found`, []);
  const qs = db
    .prepare(
      'SELECT id, crmId, questionText, questionFile, lang, timeout, defPress, type, nextQuestion FROM questions WHERE pollingId = ? ORDER BY position',
    )
    .all(id) as QuestionRow[];
  const presses = db
    .prepare('SELECT questionId, key, action, value, valueOptions, nextQuestion FROM question_actions WHERE pollingId = ? ORDER BY id')
    .all(id) as ({ questionId: number } & Record<string, unknown>)[];
  const byQuestion = new Map<number, unknown[]>();
  for (const { questionId, ...press } of presses) {
    const list = byQuestion.get(questionId) ?? [];
    list.push(press);
    byQuestion.set(questionId, list);
  }
  // database values as strings, null stays null, as the original answered (the seed: "id": "79")
  return ok({
    ...v1IdRow(p),
    questions: qs.map(({ crmId, ...q }) => ({
      id: String(q.id),
      questionId: crmId,
      questionText: q.questionText,
      questionFile: q.questionFile,
      lang: q.lang,
      timeout: String(q.timeout),
      defPress: q.defPress,
      type: q.type,
      nextQuestion: q.nextQuestion,
      press: byQuestion.get(q.id) ?? [],
    })),
  });
}

/** DELETE /polling/{id}: the polling, its questions and presses; answers stay. Idempotent. */
export function deletePolling(ctx: ServiceCtx, id: number): { deleted: boolean } {
  const db = ctx.db.$client;
  const r = db
    .transaction(() => {
      db.prepare('DELETE FROM question_actions WHERE pollingId = ?').run(id);
      db.prepare('DELETE FROM questions WHERE pollingId = ?').run(id);
      return { deleted: db.prepare('DELETE FROM pollings WHERE id = ?').run(id).changes > 0 };
    })
    .immediate();
  pollingsChanged(ctx.db);
  return r;
}
