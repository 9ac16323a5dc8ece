import { existsSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import type { PromptPreparer, PromptText } from '../../ports.js';
import { fail, ok, type Outcome, type ServiceCtx } from '../context.js';
import { pollingsChanged } from './version.js';

export interface PressInput {
  key: string;
  action: string;
  value?: string | null;
  valueOptions?: string | null;
  nextQuestion?: string | null;
  needRecognize?: number | null;
  recognizeLabel?: string | null;
  crmResponseTemplate?: string | null;
}

export interface QuestionInput {
  questionId?: string | null;
  questionText?: string | null;
  questionFile?: string | null;
  lang?: string | null;
  timeout?: number | null;
  defPress?: string | null;
  type?: string | null;
  nextQuestion?: string | null;
  press?: readonly PressInput[] | null;
}

export interface PollingInput {
  crmId?: string;
  name?: string;
  questions?: readonly QuestionInput[] | null;
}

export interface PollingSummary {
  id: number;
  crmId: string;
  name: string;
}

const DEFAULT_LANG = 'ru-RU';

/** The seed wraps spoken text in quotes ("\"Спасибо\""): voice it without one surrounding pair. */
export function spokenText(value: string): string {
  const t = value.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

/**
 * A press whose value is spoken: playback with valueOptions "text", or with valueOptions unset and a
 * value that is not an absolute path (the seed's GET example shows such presses; the survey runner
 * makes the same guess at call time).
 */
export const isSpokenPress = (p: PressInput) => {
  const v = p.value?.trim();
  if (p.action !== 'playback' || !v) return false;
  if (p.valueOptions === 'text') return true;
  return !p.valueOptions?.trim() && !isAbsolute(v);
};

/** playback_record speaks its value always in ru-RU (as v1.35): a text unless it is an absolute path. */
const isSpokenRecordPress = (p: PressInput) => p.action === 'playback_record' && !!p.value?.trim() && !isAbsolute(p.value.trim());

/** Question key: questionId, or the array index when questionId is empty or "0" (original rule). */
export const questionKey = (q: QuestionInput, index: number) =>
  q.questionId && q.questionId.trim() !== '' && q.questionId.trim() !== '0' ? q.questionId.trim() : String(index);

/** Every text the survey will speak, so TTS problems surface when the polling is saved. */
export function promptsOf(input: PollingInput): PromptText[] {
  const out: PromptText[] = [];
  (input.questions ?? []).forEach((q, i) => {
    const lang = q.lang?.trim() || DEFAULT_LANG;
    if (!q.questionFile?.trim() && q.questionText?.trim())
      out.push({ text: q.questionText.trim(), lang, label: `questions[${i}]` });
    (q.press ?? []).forEach((p, j) => {
      if (isSpokenPress(p)) out.push({ text: spokenText(p.value!), lang, label: `questions[${i}].press[${j}]` });
      if (isSpokenRecordPress(p)) out.push({ text: spokenText(p.value!), lang: DEFAULT_LANG, label: `questions[${i}].press[${j}]` });
    });
  });
  return out;
}

/** nextQuestion targets that match no question are almost certainly typos: warn, don't refuse. */
function danglingTargets(input: PollingInput): string[] {
  const qs = input.questions ?? [];
  const keys = new Set(qs.map(questionKey));
  const out: string[] = [];
  qs.forEach((q, i) => {
    const check = (target: string | null | undefined, where: string) => {
      if (target && target.trim() !== '' && !keys.has(target.trim()))
        out.push(`${where}: nextQuestion "${target}" matches no questionId`);
    };
    check(q.nextQuestion, `questions[${i}]`);
    (q.press ?? []).forEach((p, j) => check(p.nextQuestion, `questions[${i}].press[${j}]`));
  });
  return out;
}

/** Asterisk plays files without extension, so "/a/b.mp3" is fine when "/a/b.wav" exists. */
function audioExists(path: string): boolean {
  const base = path.replace(/\.[A-Za-z0-9]{1,5}$/, '');
  return existsSync(path) || existsSync(`${base}.wav`);
}

/** Referenced audio files that are not on this server: the call would play nothing there. */
function missingFiles(input: PollingInput): string[] {
  const out: string[] = [];
  (input.questions ?? []).forEach((q, i) => {
    const f = q.questionFile?.trim();
    if (f && !audioExists(f)) out.push(`questions[${i}]: questionFile "${f}" does not exist on this server`);
    (q.press ?? []).forEach((p, j) => {
      const v = p.value?.trim();
      const isFile = (p.action === 'playback' && !isSpokenPress(p)) || (p.action === 'playback_record' && !isSpokenRecordPress(p));
      if (v && isFile && !audioExists(v))
        out.push(`questions[${i}].press[${j}]: file "${v}" does not exist on this server`);
    });
  });
  return out;
}

/** v1.35 extras that are stored but cannot work as given: warn, as the original accepted them silently. */
function extrasWarnings(input: PollingInput): string[] {
  const out: string[] = [];
  (input.questions ?? []).forEach((q, i) => {
    (q.press ?? []).forEach((p, j) => {
      const where = `questions[${i}].press[${j}]`;
      const seconds = p.valueOptions?.trim();
      if (p.action === 'playback_record' && seconds && !/^\d+$/.test(seconds))
        out.push(`${where}: valueOptions "${seconds}" of playback_record is not a number of seconds; the default wait is used`);
      if (p.needRecognize === 1 && p.action !== 'playback_record') out.push(`${where}: needRecognize only applies to playback_record`);
      if (p.crmResponseTemplate?.trim() && p.action !== 'send_crm') out.push(`${where}: crmResponseTemplate only applies to send_crm`);
    });
  });
  return out;
}

/**
 * POST /polling: upsert by crmId (auto = MAX(id)+1), replacing all questions and presses. Prompts are
 * prepared (TTS) BEFORE the transaction: errors refuse the polling and nothing is saved, warnings are
 * returned with a saved polling.
 */
export async function savePolling(
  ctx: ServiceCtx,
  prompts: PromptPreparer,
  input: PollingInput,
): Promise<Outcome<PollingSummary>> {
  const prepared = await prompts.prepare(promptsOf(input));
  if (prepared.errors.length) return fail(prepared.errors);
  const warnings = [...prepared.warnings, ...danglingTargets(input), ...missingFiles(input), ...extrasWarnings(input)];

  const saved = await ctx.db.tx(async (q): Promise<PollingSummary> => {
    // one save at a time, as on SQLite (one writer): the crmId lookup and MAX(id)+1 must not race another node
    if (q.dialect === 'postgres') await q.value("SELECT pg_advisory_xact_lock(hashtext('pollings'))");
    let crmId = input.crmId?.trim() ?? '';
    if (crmId === '') {
      // MAX(id)+1 like the original, but never an auto crmId that a client already chose for
      // another polling (the original would silently overwrite that polling)
      let next = Number(await q.value('SELECT COALESCE(MAX(id), 0) AS m FROM pollings')) + 1;
      while ((await q.value('SELECT 1 FROM pollings WHERE crmId = ?', [String(next)])) !== undefined) next++;
      crmId = String(next);
    }
    const existing = await q.get<{ id: number; name: string }>('SELECT id, name FROM pollings WHERE crmId = ?', [crmId]);
    let id: number;
    const name = input.name ?? existing?.name ?? '';
    if (existing) {
      id = existing.id;
      await q.run('UPDATE pollings SET name = ? WHERE id = ?', [name, id]);
      await q.run('DELETE FROM question_actions WHERE pollingId = ?', [id]);
      await q.run('DELETE FROM questions WHERE pollingId = ?', [id]);
    } else {
      id = Number(await q.value('INSERT INTO pollings (crmId, name) VALUES (?, ?) RETURNING id', [crmId, name]));
    }
    const questions = input.questions ?? [];
    for (let i = 0; i < questions.length; i++) {
      const qn = questions[i]!;
      const qid = Number(
        await q.value(
          `INSERT INTO questions (pollingId, crmId, position, questionText, questionFile, lang, timeout, defPress, type, nextQuestion)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
          [
            id,
            questionKey(qn, i),
            i,
            qn.questionText ?? null,
            qn.questionFile?.trim() || null,
            qn.lang?.trim() || DEFAULT_LANG,
            qn.timeout ?? 5,
            qn.defPress ?? null,
            qn.type ?? '',
            qn.nextQuestion?.trim() || null,
          ],
        ),
      );
      for (const p of qn.press ?? [])
        await q.run(
          `INSERT INTO question_actions (questionId, pollingId, key, action, value, valueOptions, nextQuestion, needRecognize, recognizeLabel, crmResponseTemplate)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [
            qid,
            id,
            p.key,
            p.action,
            p.value ?? null,
            p.valueOptions ?? null,
            p.nextQuestion?.trim() || null,
            p.needRecognize ?? 0,
            p.recognizeLabel?.trim() || null,
            p.crmResponseTemplate?.trim() || null,
          ],
        );
    }
    return { id, crmId, name };
  });
  pollingsChanged(ctx.db);
  ctx.log.info({ pollingId: saved.id, crmId: saved.crmId, questions: input.questions?.length ?? 0 }, 'polling saved');
  return ok(saved, warnings);
}
