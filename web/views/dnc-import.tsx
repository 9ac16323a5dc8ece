/**
 * Import a CSV of numbers into the do-not-call list (POST /dnc/import, multipart). A file with a bad row imports
 * nothing; the API's answer names the rows (`Line 7: …`), listed here as it gives them.
 */
import { useState } from 'preact/hooks';
import { callV1 } from './form-api.js';
import { Field, Notice, valueOf } from './form-fields.js';

interface Imported {
  taskId: number;
  rows: number;
  added: number;
  alreadyListed: number;
}

export function DncImport({ onImported }: { onImported: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [taskId, setTaskId] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string; lines: string[] } | null>(null);

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (!file || busy) return;
    if (taskId.trim() && !/^\d+$/.test(taskId.trim())) return setOutcome({ ok: false, text: 'Task id must be digits, or empty for the global list', lines: [] });
    setBusy(true);
    setOutcome(null);
    const form = new FormData();
    form.append('file', file, file.name);
    const q = new URLSearchParams({ ...(taskId.trim() ? { taskId: taskId.trim() } : {}), ...(reason ? { reason } : {}) });
    const r = await callV1<Imported>('POST', `/dnc/import?${q}`, form);
    setBusy(false);
    if (!r.ok) return setOutcome({ ok: false, text: r.messages[0] ?? 'Nothing imported', lines: r.messages.slice(1) });
    setOutcome({ ok: true, text: `${r.data.rows} rows: ${r.data.added} added, ${r.data.alreadyListed} already listed.`, lines: r.messages });
    onImported();
  };

  return (
    <form class="form" id="dnc-import" noValidate onSubmit={submit}>
      <b>Import a CSV file</b>
      <div class="row">
        <Field label="CSV: one number a row (or a phone / number column)" name="file">
          <input type="file" name="file" accept=".csv,.txt,text/csv" onChange={(e) => setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null)} />
        </Field>
        <Field label="Task id" name="taskId" hint="empty = the global list">
          <input name="taskId" inputMode="numeric" value={taskId} onInput={(e) => setTaskId(valueOf(e))} />
        </Field>
        <Field label="Reason" name="reason">
          <input name="reason" value={reason} onInput={(e) => setReason(valueOf(e))} />
        </Field>
      </div>
      <div class="actions">
        <button type="submit" disabled={!file || busy}>{busy ? 'Importing…' : 'Import'}</button>
      </div>
      {outcome && (
        <Notice kind={outcome.ok ? 'ok' : 'bad'} messages={outcome.lines}>
          <span class="dnc-import-outcome">{outcome.text}</span>
        </Notice>
      )}
    </form>
  );
}
