/**
 * One question of a survey: its id (what nextQuestion targets name), the prompt (a text voiced by TTS, with a
 * preview, or an uploaded audio file), how long to wait for a key and which key a silence counts as, its keys,
 * and where the survey goes after it (empty = the survey ends there: questions do not follow each other by
 * themselves, as in the original).
 */
import { checkedOf, Field, valueOf } from './form-fields.js';
import type { AudioRow } from './editor-task-fields.js';
import { AudioPicker } from './polling-audio.js';
import { PressTable, TargetSelect } from './polling-press.js';
import { TtsPreview } from './polling-preview.js';
import { LANGS, type Errors, type QuestionDraft } from './polling-model.js';

interface Props {
  q: QuestionDraft;
  index: number;
  count: number;
  targets: string[];
  audio: AudioRow[];
  errors: Errors;
  set: (patch: Partial<QuestionDraft>) => void;
  move: (by: -1 | 1) => void;
  remove: () => void;
  audioChanged: () => void;
}

export function QuestionCard({ q, index, count, targets, audio, errors, set, move, remove, audioChanged }: Props) {
  const at = `questions[${index}]`;
  const e = (k: string) => errors.get(`${at}.${k}`);
  return (
    <div class="question" data-question={index}>
      <div class="actions">
        <b>Question {index + 1}</b>
        <button type="button" title="move up" disabled={index === 0} onClick={() => move(-1)}>↑</button>
        <button type="button" title="move down" disabled={index === count - 1} onClick={() => move(1)}>↓</button>
        <button type="button" title="remove this question" onClick={remove}>✕ remove</button>
      </div>
      {errors.get(at)?.map((m) => <span class="field-err">{m}</span>)}
      <div class="row">
        <Field label="Question id" name={`${at}.questionId`} errors={e('questionId')} hint="stored with the answers; other questions go here by it">
          <input name={`${at}.questionId`} value={q.questionId} onInput={(ev) => set({ questionId: valueOf(ev) })} />
        </Field>
        <Field label="Language" name={`${at}.lang`} errors={e('lang')}>
          <select name={`${at}.lang`} value={q.lang} onChange={(ev) => set({ lang: valueOf(ev) })}>
            {[...new Set([...LANGS, q.lang])].map((l) => <option value={l}>{l}</option>)}
          </select>
        </Field>
        <Field label="Wait for a key (s)" name={`${at}.timeout`} errors={e('timeout')}>
          <input name={`${at}.timeout`} inputMode="numeric" value={q.timeout} onInput={(ev) => set({ timeout: valueOf(ev) })} placeholder="5" />
        </Field>
        <Field label="Silence counts as key" name={`${at}.defPress`} errors={e('defPress')}>
          <input name={`${at}.defPress`} value={q.defPress} onInput={(ev) => set({ defPress: valueOf(ev) })} placeholder="none: ask again" />
        </Field>
      </div>
      <Field label="Text (spoken by TTS; <KEY> = the number's params)" name={`${at}.questionText`} errors={e('questionText')}>
        <textarea name={`${at}.questionText`} rows={2} value={q.questionText} onInput={(ev) => set({ questionText: valueOf(ev) })} />
      </Field>
      <div class="actions">
        <TtsPreview text={q.questionText} lang={q.lang} />
      </div>
      <Field label="…or an audio file (played instead of the text)" name={`${at}.questionFile`} errors={e('questionFile')}>
        <AudioPicker name={`${at}.questionFile`} value={q.questionFile} audio={audio} onChange={(path) => set({ questionFile: path })} onUploaded={audioChanged} />
      </Field>
      <PressTable at={at} press={q.press} targets={targets} audio={audio} errors={errors} onChange={(press) => set({ press })} />
      <div class="row">
        <Field label="After this question" name={`${at}.nextQuestion`} errors={e('nextQuestion')} hint="unless the key says otherwise">
          <TargetSelect name={`${at}.nextQuestion`} value={q.nextQuestion} targets={targets} empty="— end the survey —" onChange={(v) => set({ nextQuestion: v })} />
        </Field>
        <Field label="Confirmation question" name={`${at}.type`} errors={e('type')} hint="reads this call's answers back first">
          <input type="checkbox" name={`${at}.type`} checked={q.type === 'confirmation'} onChange={(ev) => set({ type: checkedOf(ev) ? 'confirmation' : '' })} />
        </Field>
      </div>
    </div>
  );
}
