/** The surveys (GET /polling): each a link to its editor, and a delete (DELETE /polling/{id}, answers stay). */
import { useEffect, useState } from 'preact/hooks';
import { callV1 } from './form-api.js';
import { Notice } from './form-fields.js';
import type { PollingRow } from './editor-task-fields.js';

export function PollingList() {
  const [list, setList] = useState<PollingRow[] | null>(null);
  const [error, setError] = useState<string[]>([]);

  const load = async () => {
    const r = await callV1<{ results: PollingRow[] }>('GET', '/polling');
    if (r.ok) setList(r.data.results);
    else setError(['Could not read the surveys:', ...r.messages]);
  };
  useEffect(() => void load(), []);

  const remove = async (p: PollingRow) => {
    if (!confirm(`Delete the survey "${p.name || p.crmId}"? Tasks that run it will reach no survey.`)) return;
    const r = await callV1('DELETE', `/polling/${p.id}`);
    if (!r.ok) setError([`Could not delete survey #${p.id}:`, ...r.messages]);
    void load();
  };

  return (
    <>
      <p class="actions">
        <a href="#/polling/new"><b>+ New survey</b></a>
      </p>
      <Notice kind="bad" messages={error} />
      {list === null ? (
        <p>Loading…</p>
      ) : !list.length ? (
        <p>No surveys yet.</p>
      ) : (
        <table id="pollings">
          <thead>
            <tr><th>survey</th><th>CRM id</th><th>id</th><th /></tr>
          </thead>
          <tbody>
            {list.map((p) => (
              <tr data-polling={p.id}>
                <td><a href={`#/polling/${p.id}`}>{p.name || `survey ${p.crmId}`}</a></td>
                <td>{p.crmId}</td>
                <td>{p.id}</td>
                <td><button type="button" onClick={() => void remove(p)}>Delete</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
