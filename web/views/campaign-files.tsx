/**
 * One campaign's files: import numbers from a CSV / XLSX file (POST /cockpit/api/campaigns/:id/import, multipart
 * field `file`) and download its results (GET …/export?format=csv|xlsx, plain links: the browser streams the
 * attachment under the name the server gives it, nothing is held in the page). No <form> of its own: it is also rendered inside the task editor's.
 */
import { useState } from 'preact/hooks';
import type { ExportFormat, ImportOutcome } from '../../src/web/api-types.js';
import { postCockpitFile } from './form-api.js';
import { Notice } from './form-fields.js';

const FORMATS: ExportFormat[] = ['csv', 'xlsx'];

type Outcome = { kind: 'ok'; data: ImportOutcome } | { kind: 'bad'; error: string; errors: string[] };

export function CampaignFiles({ taskId }: { taskId: number }) {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const base = `/cockpit/api/campaigns/${taskId}`;

  const upload = async () => {
    if (!file || busy) return;
    setBusy(true);
    setOutcome(null);
    const r = await postCockpitFile<ImportOutcome>(`${base}/import`, file);
    setBusy(false);
    setOutcome(r.ok ? { kind: 'ok', data: r.data! } : { kind: 'bad', error: r.error ?? `HTTP ${r.status}`, errors: r.errors });
  };

  return (
    <div class="campaign-files" data-task={taskId}>
      <div class="actions">
        <b>Import numbers</b>
        <input
          type="file"
          name="import-file"
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          onChange={(e) => {
            setFile((e.currentTarget as HTMLInputElement).files?.[0] ?? null);
            setOutcome(null);
          }}
        />
        <button type="button" class="import" disabled={!file || busy} onClick={upload}>{busy ? 'Importing…' : 'Import'}</button>
      </div>
      <div class="hint">CSV with a header naming phone (or number), optional clientId, other columns become the number's params; or one number per row. A file with a bad row imports nothing.</div>
      {outcome?.kind === 'ok' && (
        <Notice kind="ok" messages={outcome.data.errors}>
          <span class="import-outcome">
            Imported: <b class="added">{outcome.data.added}</b> added, <b class="duplicates">{outcome.data.duplicates}</b> already in the campaign
            {outcome.data.errors.length ? `, ${outcome.data.errors.length} remarks:` : '.'}
          </span>
        </Notice>
      )}
      {outcome?.kind === 'bad' && <Notice kind="bad" title={/^nothing imported/i.test(outcome.error) ? outcome.error : `Nothing imported: ${outcome.error}`} messages={outcome.errors} />}
      <div class="actions">
        <b>Export results</b>
        {FORMATS.map((f) => (
          <a class={`export-${f}`} href={`${base}/export?format=${f}`} download>{f.toUpperCase()}</a>
        ))}
      </div>
    </div>
  );
}
