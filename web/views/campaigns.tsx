/**
 * The campaigns: live progress, answer rate, results by code, finish estimate, pause / resume / close.
 * Counts come from the stream's task.progress as calls start and end; the list itself is read once, and again
 * only when the stream tells of a task the page does not know or a state change.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { getJson, v1 } from '../api.js';
import { seedProgress, useLive, useLiveEvents } from '../live.js';
import type { CampaignSummary } from '../../src/web/api-types.js';

type Campaign = CampaignSummary;
export const STATE = ['dialing', 'closed', 'paused'];

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

/** Pause (2), resume (0) or close (1) a task through the v1 API. */
export async function setTaskState(id: number, state: number): Promise<void> {
  await v1('PUT', `/task/${id}`, { state });
}

function Row({ c, eta, act }: { c: Campaign; eta: string; act: (id: number, state: number) => void }) {
  const total = c.waiting + c.inCall + c.done || 1;
  const codes = Object.entries(c.results).sort((a, b) => b[1] - a[1]);
  return (
    <tr data-task={c.id} data-state={STATE[c.state]}>
      <td>
        <a href={`#/campaign/${c.id}`}><b>{c.name || `task ${c.id}`}</b></a>
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

export function CampaignsView() {
  const [list, setList] = useState<Campaign[] | null>(null);
  const [error, setError] = useState('');
  const live = useLive();
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const load = useCallback(async () => {
    try {
      const { campaigns } = await getJson<{ campaigns: Campaign[] }>('/cockpit/api/campaigns');
      seedProgress(campaigns); // from now on, calls starting and ending count into these at once
      setList(campaigns);
      setError('');
    } catch (e) {
      setError(`could not read the campaigns: ${(e as Error).message}`);
    }
  }, []);
  const soon = useCallback(() => {
    if (pending.current) return;
    pending.current = setTimeout(() => ((pending.current = undefined), void load()), 150);
  }, [load]);
  useEffect(() => void load(), [load]);
  // A task the list does not know yet, or a state change: read the list again (rare). Counts come from progress.
  useLiveEvents(
    (e) => {
      if (e.type === 'task.state' || ((e.type === 'task.progress' || e.type === 'call.started') && list && !list.some((c) => c.id === e.taskId))) soon();
    },
    [list, soon],
  );

  // the stream's progress is newer than the list read
  const campaigns = (list ?? []).map((c) => {
    const p = live.tasks.get(c.id);
    return p ? { ...c, waiting: p.waiting, inCall: p.inCall, done: p.done, answered: p.answered, results: p.results } : c;
  });
  const eta = useRates(campaigns);
  const act = async (id: number, state: number) => {
    try {
      await setTaskState(id, state);
    } catch (e) {
      setError(`could not change task ${id}: ${(e as Error).message}`);
    }
    void load();
  };

  return (
    <>
      {error && <p class="err">{error}</p>}
      {list === null ? (
        <p>Loading…</p>
      ) : (
        <table id="campaigns">
          <thead>
            <tr><th>campaign</th><th>state</th><th>progress</th><th>answered</th><th>results</th><th>finish in</th><th /></tr>
          </thead>
          <tbody>{campaigns.map((c) => <Row key={c.id} c={c} eta={eta(c)} act={act} />)}</tbody>
        </table>
      )}
    </>
  );
}
