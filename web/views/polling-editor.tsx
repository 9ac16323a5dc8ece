/**
 * The survey editor (#/polling/new, #/polling/<id>): name, CRM id and the questions in order, saved whole by
 * POST /polling (an upsert by crmId that replaces every question). The form refuses what the API or the survey
 * engine would trip over; what the API still refuses is shown on the field its message names, and the warnings
 * of a successful save (no TTS engine, a missing file) are shown after it.
 */
import { useEffect, useState } from 'preact/hooks';
import { byField, callV1 } from './form-api.js';
import { Field, Notice, revealFirstError, valueOf } from './form-fields.js';
import { FormStyle } from './form-style.js';
import type { AudioRow } from './editor-task-fields.js';
import { QuestionCard } from './polling-question.js';
import { checkPolling, draftFromPolling, newQuestion, pollingBody, questionErrors, type ApiPolling, type Errors, type PollingDraft, type QuestionDraft } from './polling-model.js';

/** Warnings of the save that created a polling, shown once the page moved to its address. */
let savedNotice: { id: string; messages: string[] } | null = null;

/** The API's messages on the fields they name (`Field "questions[0].timeout" …`, `questions[1].press[0]: …`). */
function apiErrors(messages: string[]): Errors {
  return new Map([...byField(messages)].filter(([f]) => f !== ''));
}

export function PollingEditor({ id }: { id?: string }) {
  const [d, setDraft] = useState<PollingDraft | null>(id ? null : { crmId: '', name: '', questions: [newQuestion([])] });
  const [audio, setAudio] = useState<AudioRow[]>([]);
  const [tts, setTts] = useState('');
  const [errors, setErrors] = useState<Errors>(new Map());
  const [general, setGeneral] = useState<string[]>([]);
  const [notice, setNotice] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [loadError, setLoadError] = useState('');

  const readAudio = () => void callV1<AudioRow[]>('GET', '/audio').then((r) => r.ok && setAudio(r.data));
  useEffect(() => {
    readAudio();
    void callV1<{ ttsEngine?: string }>('GET', '/settings').then((r) => r.ok && setTts(r.data.ttsEngine ?? ''));
  }, []);
  useEffect(() => {
    if (!id) return;
    if (savedNotice?.id === id) setNotice(savedNotice.messages);
    savedNotice = null;
    void callV1<ApiPolling>('GET', `/polling/${id}`).then((r) => (r.ok ? setDraft(draftFromPolling(r.data)) : setLoadError(r.messages.join(' '))));
  }, [id]);

  if (loadError) return <p class="err">{loadError}</p>;
  if (!d) return <p>Loading…</p>;

  // functional updates: an upload answering later must not undo what was typed meanwhile
  const update = (fn: (old: PollingDraft) => PollingDraft) => setDraft((old) => (old ? fn(old) : old));
  const set = (patch: Partial<PollingDraft>) => update((old) => ({ ...old, ...patch }));
  const setQuestion = (i: number, patch: Partial<QuestionDraft>) =>
    update((old) => {
      const before = old.questions[i]!;
      let questions = old.questions.map((q, k) => (k === i ? { ...q, ...patch } : q));
      // a renamed question keeps the keys and questions that went to it
      if (patch.questionId !== undefined && before.questionId && patch.questionId !== before.questionId) {
        const to = (t: string) => (t === before.questionId ? patch.questionId! : t);
        questions = questions.map((q) => ({ ...q, nextQuestion: to(q.nextQuestion), press: q.press.map((p) => ({ ...p, nextQuestion: to(p.nextQuestion) })) }));
      }
      return { ...old, questions };
    });
  const move = (i: number, by: -1 | 1) =>
    update((old) => {
      const questions = [...old.questions];
      [questions[i], questions[i + by]] = [questions[i + by]!, questions[i]!];
      return { ...old, questions };
    });
  const remove = (i: number) => update((old) => ({ ...old, questions: old.questions.filter((_, k) => k !== i) }));
  const addQuestion = () =>
    update((old) => {
      const q = newQuestion(old.questions);
      const last = old.questions.length - 1;
      // the last question led nowhere: it now leads to the new one, as a list of questions reads
      const questions = old.questions.map((o, k) => (k === last && !o.nextQuestion ? { ...o, nextQuestion: q.questionId } : o));
      return { ...old, questions: [...questions, q] };
    });

  const save = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    setNotice([]);
    const found = checkPolling(d);
    setErrors(found);
    if (found.size) {
      setGeneral(['Please correct the fields marked below.', ...(found.get('questions') ?? [])]);
      return revealFirstError();
    }
    setGeneral([]);
    setBusy(true);
    const r = await callV1<{ id: string; crmId: string | number }>('POST', '/polling', pollingBody(d));
    setBusy(false);
    if (!r.ok) {
      // listed above the form as well: each names its question, whatever the form shows
      setErrors(apiErrors(r.messages));
      setGeneral(['Nothing was saved:', ...r.messages]);
      return revealFirstError();
    }
    if (r.data.id !== id) {
      savedNotice = { id: r.data.id, messages: ['Saved.', ...r.messages] };
      location.hash = `#/polling/${r.data.id}`;
      return;
    }
    set({ crmId: String(r.data.crmId) });
    setNotice(['Saved.', ...r.messages]);
  };

  const targets = d.questions.map((q) => q.questionId.trim()).filter(Boolean);
  return (
    <form class="form" id="polling-editor" noValidate onSubmit={save}>
      <FormStyle />
      <h2>{id ? `Survey #${id}` : 'New survey'}</h2>
      <Notice kind="bad" title={general[0]} messages={general.slice(1)} />
      {notice.length > 0 && <Notice kind="ok" title={notice[0]} messages={notice.slice(1)} />}
      <div class="row">
        <Field label="Name" name="name" errors={errors.get('name')}>
          <input name="name" value={d.name} onInput={(e) => set({ name: valueOf(e) })} />
        </Field>
        <Field label="CRM id" name="crmId" errors={errors.get('crmId')} hint={id ? 'the survey is saved by it: fixed once created' : 'empty = assigned'}>
          <input name="crmId" value={d.crmId} disabled={!!id} onInput={(e) => set({ crmId: valueOf(e) })} />
        </Field>
      </div>
      <p class="hint">
        Texts are voiced when the survey is saved (TTS engine in the settings: {tts || 'unknown'}); calls start at question 1 and go on as each
        question's "after this question" or a key says.
      </p>
      {d.questions.map((q, i) => (
        <QuestionCard
          key={q.uid}
          q={q}
          index={i}
          count={d.questions.length}
          targets={targets}
          audio={audio}
          errors={questionErrors(errors, i)}
          set={(patch) => setQuestion(i, patch)}
          move={(by) => move(i, by)}
          remove={() => remove(i)}
          audioChanged={readAudio}
        />
      ))}
      <div class="actions">
        <button type="button" class="add-question" onClick={addQuestion}>+ question</button>
        <button type="submit" disabled={busy}>{busy ? 'Saving…' : 'Save survey'}</button>
        <a href="#/pollings">Back to the surveys</a>
      </div>
    </form>
  );
}
