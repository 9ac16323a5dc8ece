/**
 * A campaign's numbers (its attempt rows), one page at a time: keyset paging on the server (page 10 000 costs
 * what page 1 does), search by phone, filter by result; a click on a phone opens its attempts under its row. While calls of the task start and end, the page on screen
 * is read again (coalesced, at most every ~300 ms); rows with a call up now are marked from the live stream.
 */
import { Fragment } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { getJson, RequestError } from '../api.js';
import { useLive, useLiveEvents } from '../live.js';
import type { LiveCall, NumberRow, NumbersPage } from '../../src/web/api-types.js';
import { CampaignAttempts } from './campaign-attempts.js';
import { PHASE_LABEL, when } from './campaign-format.js';
import { useThrottled } from './campaign-throttle.js';

export const PAGE_SIZE = 20;
const SEARCH_DEBOUNCE_MS = 300;
const LIVE_REFRESH_MS = 300;

/** Where the page on screen starts: the first page, after a row id (next) or before one (previous). */
type Cursor = { after?: number; before?: number };

function numbersUrl(taskId: number, cursor: Cursor, phone: string, result: string): string {
  const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (cursor.after !== undefined) q.set('after', String(cursor.after));
  if (cursor.before !== undefined) q.set('before', String(cursor.before));
  if (phone) q.set('phone', phone);
  if (result) q.set('result', result);
  return `/cockpit/api/campaigns/${taskId}/numbers?${q}`;
}

function Row({ r, call, picked, onPick }: { r: NumberRow; call: LiveCall | undefined; picked: boolean; onPick: (phone: string) => void }) {
  const cls = [call || r.inCall ? 'live' : '', picked ? 'picked' : ''].join(' ').trim();
  return (
    <tr data-row={r.rowId} data-phone={r.phone} data-result={r.result} data-live={call?.phase ?? (r.inCall ? 'in-call' : undefined)} class={cls}>
      <td><button class="link phone" title="attempts and answers" onClick={() => onPick(r.phone)}>{r.phone}</button></td>
      <td class="client">{r.clientId}</td>
      <td class="result">{r.result || (call ? <span class="phase">{PHASE_LABEL[call.phase]}</span> : '')}</td>
      <td class="row-state">{r.state}</td>
      <td class="dial">{r.outDialState ?? '—'} / {r.inDialState ?? '—'}{r.cause ? <div class="codes">{r.cause}</div> : null}</td>
      <td class="attempt">{r.attemptNumber}</td>
      <td class="times codes">
        {when(r.changeTime)}
        {r.closeTime ? <div>closed {when(r.closeTime)}</div> : null}
        {!r.closeTime && r.timeCallAllow * 1000 > Date.now() ? <div>not before {when(r.timeCallAllow)}</div> : null}
      </td>
    </tr>
  );
}

export function CampaignNumbers({ taskId, codes }: { taskId: number; codes: string[] }) {
  const live = useLive();
  const [picked, setPicked] = useState<string | null>(null);
  const [cursor, setCursor] = useState<Cursor>({});
  const [pageNo, setPageNo] = useState(1);
  const [search, setSearch] = useState('');
  const [phone, setPhone] = useState('');
  const [result, setResult] = useState('');
  const [page, setPage] = useState<NumbersPage | null>(null);
  const [error, setError] = useState('');
  const seq = useRef(0);

  // The query on screen, read by the live re-read (which outlives renders).
  const query = useRef({ cursor, phone, result });
  query.current = { cursor, phone, result };

  const load = useCallback(async () => {
    const mine = ++seq.current;
    const { cursor: c, phone: p, result: r } = query.current;
    try {
      const next = await getJson<NumbersPage>(numbersUrl(taskId, c, p, r));
      if (mine !== seq.current) return; // an answer to an older question
      setPage(next);
      setError('');
    } catch (e) {
      if (mine !== seq.current) return;
      setError(e instanceof RequestError && e.status === 404 ? 'numbers: not found (unknown task, or the server has no numbers endpoint yet)' : `numbers: ${(e as Error).message}`);
    }
  }, [taskId]);

  useEffect(() => void load(), [load, cursor, phone, result]);

  // Typing in the search box: ask once the typing pauses; only digits count.
  useEffect(() => {
    const t = setTimeout(() => {
      const digits = search.replace(/\D/g, '');
      if (digits !== phone) {
        setPhone(digits);
        setCursor({});
        setPageNo(1);
      }
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [search]);

  const refresh = useThrottled(load, LIVE_REFRESH_MS);
  useLiveEvents(
    (e) => {
      if ((e.type === 'call.started' || e.type === 'call.ended') && e.taskId === taskId) refresh();
    },
    [taskId, refresh],
  );

  const filter = (v: string) => {
    setResult(v);
    setCursor({});
    setPageNo(1);
  };
  const rows = page?.rows ?? [];
  const pages = page?.total != null ? Math.max(1, Math.ceil(page.total / PAGE_SIZE)) : null;

  return (
    <section class="panel numbers">
      <div class="toolbar">
        <input id="number-search" type="search" placeholder="search phone" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
        <select id="number-filter" value={result} onChange={(e) => filter((e.target as HTMLSelectElement).value)}>
          <option value="">all</option>
          <option value="open">open</option>
          <option value="done">done</option>
          {[...new Set([...codes, ...(result && !['open', 'done'].includes(result) ? [result] : [])])].sort().map((k) => (
            <option value={k}>{k}</option>
          ))}
        </select>
        <span class="pager">
          <button id="numbers-prev" disabled={!page || page.prevBefore === null} onClick={() => (setCursor({ before: page!.prevBefore! }), setPageNo((n) => Math.max(1, n - 1)))}>‹ prev</button>
          <span id="numbers-page" data-page={pageNo}>page {pageNo}{pages !== null && ` of ${pages}`}</span>
          <button id="numbers-next" disabled={!page || page.nextAfter === null} onClick={() => (setCursor({ after: page!.nextAfter! }), setPageNo((n) => n + 1))}>next ›</button>
        </span>
        {page?.total != null && <span id="numbers-total" class="codes" data-total={page.total}>{page.total} numbers</span>}
      </div>
      {error && <p class="err">{error}</p>}
      <table id="numbers" data-loaded={page ? 'yes' : 'no'}>
        <thead>
          <tr><th>phone</th><th>client</th><th>result</th><th>state</th><th>out / in dial</th><th>#</th><th>time</th></tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <Fragment key={r.rowId}>
              <Row r={r} call={live.calls.get(r.rowId)} picked={picked === r.phone} onPick={(p) => setPicked(p === picked ? null : p)} />
              {/* the picked number's attempts open under its first row on this page */}
              {picked === r.phone && rows.findIndex((x) => x.phone === picked) === i && (
                <tr class="attempts-row">
                  <td colSpan={7}><CampaignAttempts taskId={taskId} phone={picked} onClose={() => setPicked(null)} /></td>
                </tr>
              )}
            </Fragment>
          ))}
          {page && !rows.length && <tr class="empty"><td colSpan={7}>no numbers</td></tr>}
        </tbody>
      </table>
    </section>
  );
}
