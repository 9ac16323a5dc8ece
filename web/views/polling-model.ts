/**
 * The survey editor's form as data: a polling as GET /polling/{id} answers it (every value a string or null)
 * becomes a draft, a draft becomes a POST /polling body typed as src/api/routes/pollings.schema.ts takes it, and
 * the checks the API (or the survey engine, docs/survey.md) would trip over are made first. Error keys are the
 * API's paths (questions[1].press[0].key), so its own messages land on the same inputs.
 */

export const ACTIONS = ['answer', 'playback', 'dial', 'restart', 'playback_record', 'send_crm', ''] as const;
export type Action = (typeof ACTIONS)[number];

/** What each action does (docs/survey.md), as the select shows it. */
export const ACTION_LABEL: Record<Action, string> = {
  answer: 'store the answer',
  playback: 'play a file / speak a text',
  dial: 'connect to an extension (ends the survey)',
  restart: 'go to a question',
  playback_record: 'speak, then record the spoken answer',
  send_crm: 'send the answers to the CRM, speak its reply (ends)',
  '': 'store the key only',
};

export const LANGS = ['ru-RU', 'en-US', 'uz-UZ'];

export interface PressDraft {
  uid: number;
  key: string;
  action: Action;
  value: string;
  /** playback: "text" | "file"; playback_record: seconds to wait for the answer. */
  valueOptions: string;
  nextQuestion: string;
  needRecognize: boolean;
  recognizeLabel: string;
  crmResponseTemplate: string;
}

export interface QuestionDraft {
  uid: number;
  questionId: string;
  questionText: string;
  /** An uploaded file's path (POST /audio's filename); when set the text is not spoken. */
  questionFile: string;
  lang: string;
  timeout: string;
  defPress: string;
  type: '' | 'confirmation';
  nextQuestion: string;
  press: PressDraft[];
}

export interface PollingDraft {
  crmId: string;
  name: string;
  questions: QuestionDraft[];
}

export type Errors = Map<string, string[]>;

let uids = 0;
/** Keys for Preact's lists: a question keeps its inputs when moved up or down. */
export const nextUid = () => ++uids;

export const newPress = (key = ''): PressDraft => ({
  uid: nextUid(), key, action: 'answer', value: '', valueOptions: '', nextQuestion: '', needRecognize: false, recognizeLabel: '', crmResponseTemplate: '',
});

/** A new question with an id no other question has (q1, q2…), so it can be a nextQuestion target at once. */
export function newQuestion(existing: QuestionDraft[]): QuestionDraft {
  let n = existing.length + 1;
  while (existing.some((q) => q.questionId === `q${n}`)) n++;
  return { uid: nextUid(), questionId: `q${n}`, questionText: '', questionFile: '', lang: 'ru-RU', timeout: '5', defPress: '', type: '', nextQuestion: '', press: [newPress('1')] };
}

type Str = string | null | undefined;
interface ApiPress { key: Str; action: Str; value: Str; valueOptions: Str; nextQuestion: Str; needRecognize?: Str; recognizeLabel?: Str; crmResponseTemplate?: Str }
interface ApiQuestion { questionId: Str; questionText: Str; questionFile: Str; lang: Str; timeout: Str; defPress: Str; type: Str; nextQuestion: Str; press: ApiPress[] }
export interface ApiPolling { id: string; crmId: string; name: string; questions: ApiQuestion[] }

export function draftFromPolling(p: ApiPolling): PollingDraft {
  const s = (v: Str) => v ?? '';
  return {
    crmId: p.crmId,
    name: p.name,
    questions: p.questions.map((q) => ({
      uid: nextUid(), questionId: s(q.questionId), questionText: s(q.questionText), questionFile: s(q.questionFile), lang: s(q.lang) || 'ru-RU',
      timeout: s(q.timeout), defPress: s(q.defPress), type: q.type === 'confirmation' ? 'confirmation' : '', nextQuestion: s(q.nextQuestion),
      press: q.press.map((x) => ({
        uid: nextUid(), key: s(x.key), action: ((ACTIONS as readonly string[]).includes(s(x.action)) ? s(x.action) : '') as Action,
        value: s(x.value), valueOptions: s(x.valueOptions), nextQuestion: s(x.nextQuestion), needRecognize: x.needRecognize === '1',
        recognizeLabel: s(x.recognizeLabel), crmResponseTemplate: s(x.crmResponseTemplate),
      })),
    })),
  };
}

/** Only what is set: an empty optional field is left out, as a CRM would send it. */
const setOnly = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== '' && v !== undefined));

export function pollingBody(d: PollingDraft): Record<string, unknown> {
  return setOnly({
    crmId: d.crmId.trim(),
    name: d.name,
    questions: d.questions.map((q) =>
      setOnly({
        questionId: q.questionId.trim(),
        questionText: q.questionText,
        questionFile: q.questionFile,
        lang: q.lang,
        timeout: q.timeout.trim() === '' ? undefined : Number(q.timeout),
        defPress: q.defPress.trim(),
        type: q.type,
        nextQuestion: q.nextQuestion,
        press: q.press.map((p) =>
          setOnly({
            key: p.key.trim(),
            action: p.action,
            value: p.value,
            valueOptions: p.valueOptions,
            nextQuestion: p.nextQuestion,
            needRecognize: p.action === 'playback_record' ? (p.needRecognize ? 1 : 0) : undefined,
            recognizeLabel: p.action === 'playback_record' ? p.recognizeLabel : undefined,
            crmResponseTemplate: p.action === 'send_crm' ? p.crmResponseTemplate : undefined,
          }),
        ),
      }),
    ),
  });
}

const add = (errors: Errors, field: string, message: string) => errors.set(field, [...(errors.get(field) ?? []), message]);
const tooLong = (errors: Errors, field: string, v: string, max: number) => v.length > max && add(errors, field, `must be at most ${max} characters`);

/** What the API refuses, and what would make a survey that cannot work as drawn (an unknown target, a key twice). */
export function checkPolling(d: PollingDraft): Errors {
  const errors: Errors = new Map();
  tooLong(errors, 'crmId', d.crmId, 200);
  tooLong(errors, 'name', d.name, 1000);
  if (!d.questions.length) add(errors, 'questions', 'add at least one question');
  const ids = d.questions.map((q) => q.questionId.trim());
  d.questions.forEach((q, i) => {
    const at = `questions[${i}]`;
    const id = q.questionId.trim();
    tooLong(errors, `${at}.questionId`, id, 100);
    if (id && ids.indexOf(id) !== i) add(errors, `${at}.questionId`, `"${id}" is already the id of question ${ids.indexOf(id) + 1}`);
    // the API takes "" and "0" as "the question's position": only right where the position is 0
    if (!id || (id === '0' && i !== 0)) add(errors, `${at}.questionId`, 'is required (other questions go to it by this id)');
    tooLong(errors, `${at}.questionText`, q.questionText, 4000);
    if (!q.questionText.trim() && !q.questionFile && !q.defPress.trim()) add(errors, `${at}.questionText`, 'a text to speak or an audio file is required');
    const t = q.timeout.trim();
    if (t && (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 600)) add(errors, `${at}.timeout`, 'must be a whole number of seconds from 1 to 600');
    tooLong(errors, `${at}.defPress`, q.defPress.trim(), 20);
    if (q.nextQuestion && !ids.includes(q.nextQuestion)) add(errors, `${at}.nextQuestion`, `"${q.nextQuestion}" is not a question of this survey`);
    const keys = q.press.map((p) => p.key.trim());
    q.press.forEach((p, j) => {
      const pat = `${at}.press[${j}]`;
      const key = p.key.trim();
      if (!key) add(errors, `${pat}.key`, 'is required');
      else if (key.length > 20) add(errors, `${pat}.key`, 'must be at most 20 characters');
      else if (keys.indexOf(key) !== j) add(errors, `${pat}.key`, `key "${key}" is listed twice`);
      tooLong(errors, `${pat}.value`, p.value, 4000);
      if ((p.action === 'dial' || p.action === 'playback') && !p.value.trim()) {
        add(errors, `${pat}.value`, p.action === 'dial' ? 'the extension to connect to is required' : 'the text or file to play is required');
      }
      if (p.action === 'playback_record' && p.valueOptions.trim() && !/^\d+$/.test(p.valueOptions.trim())) add(errors, `${pat}.valueOptions`, 'must be a number of seconds');
      if (p.nextQuestion && !ids.includes(p.nextQuestion)) add(errors, `${pat}.nextQuestion`, `"${p.nextQuestion}" is not a question of this survey`);
      tooLong(errors, `${pat}.recognizeLabel`, p.recognizeLabel, 200);
      tooLong(errors, `${pat}.crmResponseTemplate`, p.crmResponseTemplate, 4000);
    });
  });
  return errors;
}

/** Errors of one question (its own and its presses'), for the card that shows them. */
export function questionErrors(errors: Errors, i: number): Errors {
  const prefix = `questions[${i}]`;
  return new Map([...errors].filter(([k]) => k === prefix || k.startsWith(`${prefix}.`) || k.startsWith(`${prefix}:`)));
}
