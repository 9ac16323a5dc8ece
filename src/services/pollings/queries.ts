import { fail, ok, type Outcome, type ServiceCtx } from '../context.js';
import type { PollingSummary } from './save.js';
import { pollingsChanged } from './version.js';
import { v1IdRow } from '../results/v1.js';

export function listPollings(ctx: ServiceCtx): Promise<PollingSummary[]> {
  return ctx.db.all<PollingSummary>('SELECT id, crmId, name FROM pollings ORDER BY id');
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

interface PressRow {
  questionId: number;
  key: string;
  action: string;
  value: string | null;
  valueOptions: string | null;
  nextQuestion: string | null;
  needRecognize: number;
  recognizeLabel: string | null;
  crmResponseTemplate: string | null;
}

/**
 * A press as GET answers it: the original's five fields, then the v1.35 extras only where they are set
 * (needRecognize as "1", like every database value a string), so a polling without them keeps the original's
 * exact press shape and one with them round-trips through POST.
 */
function v1Press({ needRecognize, recognizeLabel, crmResponseTemplate, ...press }: Omit<PressRow, 'questionId'>) {
  return {
    ...press,
    ...(needRecognize ? { needRecognize: String(needRecognize) } : {}),
    ...(recognizeLabel !== null ? { recognizeLabel } : {}),
    ...(crmResponseTemplate !== null ? { crmResponseTemplate } : {}),
  };
}

/**
 * GET /polling/{id}: the original's nested shape {id, crmId, name, questions:[{id, questionText,
 * questionFile, lang, press:[…]}]}, plus the v1.35 question fields and questionId so a client can
 * round-trip a polling. Every value is a string or null (press rows are all TEXT columns).
 */
export async function getPolling(ctx: ServiceCtx, id: number): Promise<Outcome<unknown>> {
  const p = await ctx.db.get<PollingSummary>('SELECT id, crmId, name FROM pollings WHERE id = ?', [id]);
  if (!p) return fail(`Polling ${id} not found`, []);
  const qs = await ctx.db.all<QuestionRow>(
    'SELECT id, crmId, questionText, questionFile, lang, timeout, defPress, type, nextQuestion FROM questions WHERE pollingId = ? ORDER BY position',
    [id],
  );
  const presses = await ctx.db.all<PressRow>(
    `SELECT questionId, key, action, value, valueOptions, nextQuestion, needRecognize, recognizeLabel, crmResponseTemplate
       FROM question_actions WHERE pollingId = ? ORDER BY id`,
    [id],
  );
  const byQuestion = new Map<number, unknown[]>();
  for (const { questionId, ...press } of presses) {
    const list = byQuestion.get(questionId) ?? [];
    list.push(v1Press(press));
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
export async function deletePolling(ctx: ServiceCtx, id: number): Promise<{ deleted: boolean }> {
  const r = await ctx.db.tx(async (q) => {
    // questions.pollingId and question_actions.pollingId are 32-bit on PostgreSQL, pollings.id is not
    await q.run('DELETE FROM question_actions WHERE pollingId = CAST(? AS BIGINT)', [id]);
    await q.run('DELETE FROM questions WHERE pollingId = CAST(? AS BIGINT)', [id]);
    return { deleted: (await q.run('DELETE FROM pollings WHERE id = ?', [id])) > 0 };
  });
  pollingsChanged(ctx.db);
  return r;
}
