/**
 * Create a campaign (#/task/new) or change one (#/task/<id>/edit) through the v1 API. A new task is created with
 * its pasted numbers by POST /task; when a file follows it is created paused, the file imported through the
 * cockpit (CampaignFiles' endpoint), and only then set dialing, so no call starts before its numbers are in. A
 * change is a PUT of the fields that changed. Whatever the API refuses is shown next to the field it names, and a
 * step that failed after the task was created says so, with the task's id.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ImportOutcome } from '../../src/web/api-types.js';
import { CampaignFiles } from './campaign-files.js';
import { HalfDoneNotice, type HalfDone } from './editor-half-done.js';
import { byField, callV1, postCockpitFile } from './form-api.js';
import { Field, Notice, revealFirstError, valueOf } from './form-fields.js';
import { FormStyle } from './form-style.js';
import { TaskFields, type AudioRow, type PollingRow } from './editor-task-fields.js';
import { changedFields, draftFromTask, newTaskDraft, parsePasted, taskBody, type Errors, type TaskDraft } from './editor-task-model.js';

const campaignHref = (id: number) => `#/campaign/${id}`;

/**
 * The API's messages on the fields they name (numbers[i] become "line N" of the pasted numbers). Each is also
 * listed above the form: a field the form does not show at the moment (amdMessageFile with amd off) hides nothing.
 */
function apiErrors(messages: string[], lines: number[] = []): Errors {
  const fields: Errors = new Map();
  for (const [f, ms] of byField(messages)) {
    const n = /^numbers\[(\d+)\]$/.exec(f);
    if (n) fields.set('numbers', [...(fields.get('numbers') ?? []), ...ms.map((m) => `line ${lines[Number(n[1])] ?? '?'}: ${m}`)]);
    else if (f) fields.set(f.startsWith('retryRules') ? f : f.split(/[.[]/)[0]!, ms);
  }
  return fields;
}

async function readTask(id: number): Promise<Record<string, string> | string> {
  // the list's row (keyset: id > id-1) has every field and none of the task's attempt rows, which GET /task/{id} adds
  const r = await callV1<{ results: Record<string, string>[] }>('GET', `/task?offset=${id - 1}&limit=1`);
  if (!r.ok) return r.messages.join(' ');
  const t = r.data.results[0];
  return t && t.id === String(id) ? t : `Task ${id} not found`;
}

export function TaskEditorView({ params }: { params: string[] }) {
  const id = params[0] ? Number(params[0]) : undefined;
  const isNew = id === undefined;
  /** The task's fields as read (a PUT sends what differs from them); null while reading. */
  const [loaded, setLoaded] = useState<Record<string, unknown> | null>(isNew ? {} : null);
  const [d, setDraft] = useState<TaskDraft>(newTaskDraft());
  const [pasted, setPasted] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [pollings, setPollings] = useState<PollingRow[]>([]);
  const [audio, setAudio] = useState<AudioRow[]>([]);
  const [errors, setErrors] = useState<Errors>(new Map());
  const [general, setGeneral] = useState<string[]>([]);
  const [warnings, setWarnings] = useState<{ id: number; messages: string[] } | null>(null);
  const [halfDone, setHalfDone] = useState<HalfDone | null>(null);
  const [busy, setBusy] = useState('');
  const [loadError, setLoadError] = useState('');

  useEffect(() => {
    void callV1<{ results: PollingRow[] }>('GET', '/polling').then((r) => r.ok && setPollings(r.data.results));
    void callV1<AudioRow[]>('GET', '/audio').then((r) => r.ok && setAudio(r.data));
  }, []);
  useEffect(() => {
    setErrors(new Map());
    setGeneral([]);
    setWarnings(null);
    setHalfDone(null);
    setPasted('');
    setFile(null);
    setLoadError('');
    if (isNew) {
      setLoaded({});
      setDraft(newTaskDraft());
      return;
    }
    setLoaded(null);
    void readTask(id).then((t) => {
      if (typeof t === 'string') return setLoadError(t);
      const draft = draftFromTask(t);
      setLoaded(taskBody(draft).body);
      setDraft(draft);
    });
  }, [id]);

  const set = (patch: Partial<TaskDraft>) => setDraft((old) => ({ ...old, ...patch }));

  const refuse = (fields: Errors, gen: string[]) => {
    setErrors(fields);
    setGeneral(gen);
    setBusy('');
    revealFirstError();
  };

  /** A crmId already used would make POST /task change that task (and replace its numbers): refused here. */
  async function crmIdTaken(crmId: string): Promise<string | null> {
    const r = await callV1<{ results: Array<{ id: string; crmId: string }> }>('GET', '/task');
    const other = r.ok ? r.data.results.find((t) => t.crmId === crmId) : undefined;
    return other ? `is already the CRM id of task #${other.id}: open that task to change it` : null;
  }

  async function create(body: Record<string, unknown>) {
    const numbers = parsePasted(pasted);
    if (!numbers.numbers.length && !file) return refuse(new Map([['numbers', ['paste numbers or choose a file: a campaign needs numbers to call']]]), []);
    const crmId = d.crmId.trim();
    const taken = crmId ? await crmIdTaken(crmId) : null;
    if (taken) return refuse(new Map([['crmId', [taken]]]), []);
    const wanted = Number(d.state);
    setBusy('creating the task…');
    const r = await callV1<{ id: string }>('POST', '/task', { ...body, ...(crmId ? { crmId } : {}), state: file ? 2 : wanted, numbers: numbers.numbers });
    if (!r.ok) {
      return refuse(apiErrors(r.messages, numbers.lines), ['Nothing was saved:', ...r.messages]);
    }
    const newId = Number(r.data.id);
    const notes = [...r.messages];
    if (file) {
      setBusy(`importing ${file.name}…`);
      const imp = await postCockpitFile<ImportOutcome>(`/cockpit/api/campaigns/${newId}/import`, file);
      if (!imp.ok) {
        setBusy('');
        const withPasted = numbers.numbers.length ? ` with ${numbers.numbers.length} pasted numbers` : ' without numbers';
        return setHalfDone({
          id: newId,
          what: `Task #${newId} was created, paused,${withPasted}, but ${file.name} was not imported`,
          messages: [imp.error ?? '', ...imp.errors].filter(Boolean),
          importFailed: true,
          startWanted: wanted === 0,
        });
      }
      notes.push(...imp.data!.errors);
      if (wanted === 0) {
        const go = await callV1('PUT', `/task/${newId}`, { state: 0 });
        if (!go.ok) {
          setBusy('');
          return setHalfDone({ id: newId, what: `Task #${newId} was created with its numbers but is still paused: starting it was refused`, messages: go.messages, importFailed: false, startWanted: true });
        }
      }
    }
    setBusy('');
    if (notes.length) return setWarnings({ id: newId, messages: notes });
    location.hash = campaignHref(newId);
  }

  async function change(taskId: number, body: Record<string, unknown>) {
    const put = changedFields(loaded!, body);
    if (!Object.keys(put).length) return void (location.hash = campaignHref(taskId));
    setBusy('saving…');
    const r = await callV1('PUT', `/task/${taskId}`, put);
    if (!r.ok) {
      return refuse(apiErrors(r.messages), ['Nothing was saved:', ...r.messages]);
    }
    setBusy('');
    if (r.messages.length) return setWarnings({ id: taskId, messages: r.messages });
    location.hash = campaignHref(taskId);
  }

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    setGeneral([]);
    setWarnings(null);
    setHalfDone(null);
    const { body, errors: found } = taskBody(d);
    if (found.size) return refuse(found, ['Please correct the fields marked below.']);
    setErrors(new Map());
    await (isNew ? create(body) : change(id, body));
  };

  if (loadError) return <p class="err">{loadError}</p>;
  if (!loaded) return <p>Loading…</p>;
  if (halfDone) {
    return (
      <div class="form" id="task-editor">
        <FormStyle />
        <h2>New campaign</h2>
        <HalfDoneNotice h={halfDone} />
      </div>
    );
  }
  return (
    <form class="form" id="task-editor" noValidate onSubmit={submit}>
      <FormStyle />
      <h2>{isNew ? 'New campaign' : `Campaign #${id}`}</h2>
      <Notice kind="bad" title={general[0]} messages={general.slice(1)} />
      {warnings && (
        <Notice kind="ok" title={`Saved task #${warnings.id}, with these remarks:`} messages={warnings.messages}>
          <div><a href={campaignHref(warnings.id)}>Open the campaign</a></div>
        </Notice>
      )}
      <TaskFields d={d} set={set} errors={errors} isNew={isNew} pollings={pollings} audio={audio} />
      {isNew ? (
        <fieldset>
          <legend>Numbers</legend>
          <Field label="Paste numbers, one per line: phone[,clientId]" name="numbers" errors={errors.get('numbers')}>
            <textarea name="numbers" rows={6} value={pasted} onInput={(e) => setPasted(valueOf(e))} placeholder={'79001234567\n79001234568,client-42'} />
          </Field>
          <Field label="…and/or a CSV or XLSX file" name="file" hint="imported after the task is created; dialing starts once it is in">
            <input type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} />
          </Field>
        </fieldset>
      ) : (
        <fieldset>
          <legend>Numbers and results</legend>
          <CampaignFiles taskId={id} />
        </fieldset>
      )}
      <div class="actions">
        <button type="submit" disabled={!!busy}>{isNew ? 'Create campaign' : 'Save'}</button>
        {busy && <span class="hint">{busy}</span>}
        {!isNew && <a href={campaignHref(id)}>Cancel</a>}
      </div>
    </form>
  );
}

