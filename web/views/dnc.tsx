/**
 * The do-not-call list (#/dnc): numbers no task calls (global) or one task does not call. Read a page at a time
 * (GET /dnc: keyset paging by id, a filter by list, a search by number on its last 10 digits), added to, removed
 * from, and imported into from a CSV file.
 */
import { useEffect, useState } from 'preact/hooks';
import { callV1 } from './form-api.js';
import { Field, Notice, valueOf } from './form-fields.js';
import { FormStyle } from './form-style.js';
import { DncAdd } from './dnc-add.js';
import { DncImport } from './dnc-import.js';

interface DncRow {
  id: string;
  taskId: string;
  phone: string;
  reason: string;
  addedAt: string;
}

const PAGE = 50;

const when = (addedAt: string) => (Number(addedAt) ? new Date(Number(addedAt) * 1000).toLocaleString() : '');

export function DncView(_: { params: string[] }) {
  const [filter, setFilter] = useState({ phone: '', taskId: '' });
  /** Keyset offsets of the pages before the current one; the current page starts after `offset`. */
  const [pages, setPages] = useState<number[]>([]);
  const [offset, setOffset] = useState(0);
  const [rows, setRows] = useState<DncRow[] | null>(null);
  const [error, setError] = useState<string[]>([]);
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    const q = new URLSearchParams({ limit: String(PAGE + 1), offset: String(offset) });
    if (filter.phone.trim()) q.set('phone', filter.phone.trim());
    if (filter.taskId.trim()) q.set('taskId', filter.taskId.trim());
    void callV1<{ results: DncRow[] }>('GET', `/dnc?${q}`).then((r) => {
      if (!r.ok) return setError(r.messages);
      setError([]);
      setRows(r.data.results);
    });
  }, [filter, offset, reloads]);

  const firstPage = () => {
    setPages([]);
    setOffset(0);
    setReloads((n) => n + 1);
  };
  const remove = async (row: DncRow) => {
    const r = await callV1('DELETE', `/dnc/${encodeURIComponent(row.phone)}?taskId=${row.taskId}`);
    if (!r.ok) setError([`Could not remove ${row.phone}:`, ...r.messages]);
    setReloads((n) => n + 1);
  };

  const shown = rows?.slice(0, PAGE) ?? [];
  const more = (rows?.length ?? 0) > PAGE;
  return (
    <div id="dnc">
      <FormStyle />
      <h2>Do not call</h2>
      <p class="hint">Numbers here are never dialed: by any task (the global list) or by one task. Matched on their last 10 digits.</p>
      <DncAdd onAdded={firstPage} />
      <DncImport onImported={firstPage} />
      <div class="form">
        <div class="row">
          <Field label="Search a number" name="search-phone">
            <input name="search-phone" value={filter.phone} onChange={(e) => (setFilter({ ...filter, phone: valueOf(e) }), setPages([]), setOffset(0))} placeholder="any format" />
          </Field>
          <Field label="List" name="search-task" hint="empty = every list, 0 = global, else a task id">
            <input name="search-task" value={filter.taskId} onChange={(e) => (setFilter({ ...filter, taskId: valueOf(e) }), setPages([]), setOffset(0))} />
          </Field>
        </div>
        <Notice kind="bad" messages={error} />
        {rows === null ? (
          <p>Loading…</p>
        ) : (
          <table id="dnc-list" class="compact">
            <thead>
              <tr><th>number</th><th>list</th><th>reason</th><th>added</th><th /></tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr data-phone={r.phone} data-task={r.taskId}>
                  <td>{r.phone}</td>
                  <td>{r.taskId === '0' ? 'global' : <a href={`#/campaign/${r.taskId}`}>task #{r.taskId}</a>}</td>
                  <td>{r.reason}</td>
                  <td>{when(r.addedAt)}</td>
                  <td><button type="button" onClick={() => void remove(r)}>Remove</button></td>
                </tr>
              ))}
              {!shown.length && <tr><td colSpan={5}>No numbers{filter.phone || filter.taskId ? ' match' : ' listed'}.</td></tr>}
            </tbody>
          </table>
        )}
        <div class="actions">
          <button type="button" disabled={!pages.length} onClick={() => (setOffset(pages[pages.length - 1]!), setPages(pages.slice(0, -1)))}>← previous</button>
          <button type="button" disabled={!more} onClick={() => (setPages([...pages, offset]), setOffset(Number(shown[shown.length - 1]!.id)))}>next →</button>
        </div>
      </div>
    </div>
  );
}
