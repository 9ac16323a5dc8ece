/**
 * The operator's cockpit in the browser (Preact): campaigns with live progress, pause / resume / close.
 * Live by push: the service's event stream says when calls start and end; the page then re-reads the summaries
 * (coalesced), so it never needs a reload and never polls on a timer while the stream is up.
 */
import { render } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { CampaignSummary } from '../src/web/campaigns.js';

const API = '/pbxcore/api/module-dialer/v1';
const EVENTS = `${API}/events`;
const LOGIN = '/admin-cabinet/session/start';

/** What GET /cockpit/api/campaigns answers (the server's own type). */
type Campaign = CampaignSummary;

const STATE = ['dialing', 'closed', 'paused'];

/** Finish estimate from how fast rows got done over the last minute. */
function useRates(campaigns: Campaign[]) {
  const history = useRef(new Map<number, { t: number; done: number }[]>());
  const now = Date.now();
  for (const c of campaigns) {
    const h = history.current.get(c.id) ?? [];
    if (!h.length || h[h.length - 1]!.done !== c.done) h.push({ t: now, done: c.done });
    while (h.length > 1 && now - h[0]!.t > 60_000) h.shift();
    history.current.set(c.id, h);
  }
  return (c: Campaign): string => {
    const h = history.current.get(c.id) ?? [];
    if (c.state === 1 || c.waiting + c.inCall === 0) return '—';
    if (h.length < 2) return '…';
    const perSec = (h[h.length - 1]!.done - h[0]!.done) / Math.max(1, (h[h.length - 1]!.t - h[0]!.t) / 1000);
    if (perSec <= 0) return '…';
    const s = Math.round((c.waiting + c.inCall) / perSec);
    return s < 90 ? `${s} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
  };
}

function Login({ onDone }: { onDone: () => void }) {
  const [error, setError] = useState('');
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const body = new URLSearchParams({ login: String(f.get('login') ?? ''), password: String(f.get('password') ?? '') });
    const r = await fetch(LOGIN, { method: 'POST', body, credentials: 'same-origin' });
    const j = (await r.json().catch(() => ({}))) as { success?: boolean; message?: { error?: string[] } };
    if (j.success) onDone();
    else setError(j.message?.error?.join(' ') || `login failed (${r.status})`);
  };
  return (
    <form class="login" onSubmit={submit}>
      <h2>autodialer</h2>
      <input name="login" placeholder="login" autocomplete="username" />
      <input name="password" type="password" placeholder="password" autocomplete="current-password" />
      <button type="submit">Log in</button>
      {error && <div class="err">{error}</div>}
    </form>
  );
}

function Row({ c, eta, act }: { c: Campaign; eta: string; act: (id: number, state: number) => void }) {
  const total = c.waiting + c.inCall + c.done || 1;
  const codes = Object.entries(c.results).sort((a, b) => b[1] - a[1]);
  return (
    <tr data-task={c.id} data-state={STATE[c.state]}>
      <td>
        <b>{c.name || `task ${c.id}`}</b>
        <div class="codes">#{c.id} · {c.innerNumType} {c.innerNum} · {c.maxCountChannels} channels</div>
      </td>
      <td class="state">{STATE[c.state] ?? c.state}</td>
      <td>
        <div class="bar" title={`${c.done} done, ${c.inCall} in call, ${c.waiting} waiting`}>
          <span class="done" style={{ width: `${(100 * c.done) / total}%` }} />
          <span class="call" style={{ width: `${(100 * c.inCall) / total}%` }} />
        </div>
        <div class="codes">
          <span class="waiting">{c.waiting}</span> waiting · <span class="in-call">{c.inCall}</span> in call · <span class="done-count">{c.done}</span> done
        </div>
      </td>
      <td class="answer-rate">{c.done ? `${Math.round((100 * c.answered) / c.done)} %` : '—'}</td>
      <td class="codes results">{codes.map(([k, v]) => `${k} ${v}`).join(' · ') || '—'}</td>
      <td class="eta">{eta}</td>
      <td>
        {c.state === 0 && <button onClick={() => act(c.id, 2)}>Pause</button>}
        {c.state === 2 && <button onClick={() => act(c.id, 0)}>Resume</button>}
        {c.state !== 1 && <button onClick={() => act(c.id, 1)}>Close</button>}
      </td>
    </tr>
  );
}

function App() {
  const [campaigns, setCampaigns] = useState<Campaign[] | null>(null);
  const [needLogin, setNeedLogin] = useState(false);
  const [live, setLive] = useState<'connecting' | 'live' | 'offline'>('connecting');
  const [error, setError] = useState('');
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(async () => {
    const r = await fetch('/cockpit/api/campaigns', { credentials: 'same-origin' });
    if (r.status === 401) return setNeedLogin(true);
    if (!r.ok) return setError(`could not read the campaigns (${r.status})`);
    setNeedLogin(false);
    setError('');
    setCampaigns(((await r.json()) as { campaigns: Campaign[] }).campaigns);
  }, []);
  // Many events in a burst cost one read.
  const soon = useCallback(() => {
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = undefined;
      void load();
    }, 150);
  }, [load]);

  useEffect(() => void load(), [load]);
  useEffect(() => {
    if (needLogin || campaigns === null) return;
    const es = new EventSource(EVENTS, { withCredentials: true });
    es.onopen = () => setLive('live');
    es.onerror = () => setLive(es.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
    es.onmessage = soon;
    for (const type of ['call.started', 'call.answered', 'call.ended', 'task.state', 'task.progress']) es.addEventListener(type, soon);
    return () => es.close();
  }, [needLogin, campaigns === null, soon]);

  const eta = useRates(campaigns ?? []);
  const act = async (id: number, state: number) => {
    const r = await fetch(`${API}/task/${id}`, { method: 'PUT', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ state }) });
    const j = (await r.json().catch(() => ({}))) as { result?: boolean; messages?: unknown };
    if (!j.result) setError(`could not change task ${id}: ${JSON.stringify(j.messages ?? r.status)}`);
    void load();
  };

  if (needLogin) return <Login onDone={load} />;
  return (
    <>
      <header>
        <b>autodialer</b> cockpit <span class="live" data-live={live}>{live === 'live' ? '● live' : live}</span>
      </header>
      <main>
        {error && <p class="err">{error}</p>}
        {campaigns === null ? (
          <p>Loading…</p>
        ) : (
          <table id="campaigns">
            <thead>
              <tr><th>campaign</th><th>state</th><th>progress</th><th>answered</th><th>results</th><th>finish in</th><th /></tr>
            </thead>
            <tbody>{campaigns.map((c) => <Row key={c.id} c={c} eta={eta(c)} act={act} />)}</tbody>
          </table>
        )}
      </main>
    </>
  );
}

const root = document.getElementById('app')!;
root.textContent = ''; // the shell's "Loading…" (Preact would render beside it)
render(<App />, root);
