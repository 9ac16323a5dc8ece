/**
 * Every call in flight (#/calls), from the stream's live state: its campaign, phone, phase and how long it has
 * been up, with counts by phase at the top and a campaign filter. Only the clock ticks on a timer; the calls
 * themselves change with the events.
 */
import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api.js';
import { useLive, useLiveEvents } from '../live.js';
import type { CampaignSummary, LiveCall } from '../../src/web/api-types.js';
import { duration, PHASE_LABEL, PHASES } from './campaign-format.js';
import { useThrottled } from './campaign-throttle.js';

/**
 * Server time minus browser time, in ms: call times are the server's. Estimated as the smallest gap seen between
 * an event's time and its arrival (network delay only makes the gap larger), so a fast or slow browser clock
 * neither shows negative durations nor adds its drift.
 */
let skew: number | undefined;
function serverNow(): number {
  return Date.now() + (skew ?? 0);
}

/** Re-render every second for the durations. */
function useClock(): number {
  const [, tick] = useState(0);
  useEffect(() => {
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, []);
  return serverNow();
}

/** The campaigns by id (names, targets, states), read again when an unknown one shows up or one changes state. */
export function useCampaigns(): Map<number, CampaignSummary> {
  const [byId, setById] = useState(new Map<number, CampaignSummary>());
  const load = async () => {
    try {
      const { campaigns } = await getJson<{ campaigns: CampaignSummary[] }>('/cockpit/api/campaigns');
      setById(new Map(campaigns.map((c) => [c.id, c])));
    } catch {
      // names are a nicety: the ids still show
    }
  };
  const again = useThrottled(load, 2000);
  useEffect(() => void load(), []);
  useLiveEvents((e) => void ('taskId' in e && (e.type === 'task.state' || !byId.has(e.taskId)) && again()), [byId, again]);
  return byId;
}

function Call({ c, now, task }: { c: LiveCall; now: number; task?: CampaignSummary }) {
  const up = Math.max(0, (now - c.startedAt) / 1000);
  const talk = c.answeredAt ? Math.max(0, (now - c.answeredAt) / 1000) : undefined;
  return (
    <tr data-call={c.rowId} data-task={c.taskId} data-phone={c.phone} data-phase={c.phase}>
      <td><a href={`#/campaign/${c.taskId}`}>{task?.name || `task ${c.taskId}`}</a></td>
      <td class="phone">{c.phone}</td>
      <td>
        <span class={`phase badge phase-${c.phase}`}>{PHASE_LABEL[c.phase]}</span>
        {c.agent && <span class="agent"> {c.agent}</span>}
      </td>
      <td class="duration" data-seconds={Math.floor(up)}>{duration(up)}</td>
      <td class="talk codes">{talk === undefined ? '—' : duration(talk)}</td>
    </tr>
  );
}

export function LiveCallsView(_: { params: string[] }) {
  const live = useLive();
  const names = useCampaigns();
  const [task, setTask] = useState('');
  useLiveEvents((e) => {
    const gap = e.at - Date.now();
    if (skew === undefined || gap > skew) skew = gap; // gap = skew − delay: the largest is the least delayed
  }, []);
  const now = useClock();

  const all = [...live.calls.values()].sort((a, b) => a.taskId - b.taskId || a.startedAt - b.startedAt);
  const calls = task ? all.filter((c) => String(c.taskId) === task) : all;
  const tasks = [...new Set(all.map((c) => c.taskId))].sort((a, b) => a - b);
  const byPhase = Object.fromEntries(PHASES.map((p) => [p, calls.filter((c) => c.phase === p).length]));

  return (
    <>
      <div class="toolbar" id="phase-counts">
        <span class="total"><b data-count={calls.length}>{calls.length}</b> calls</span>
        {PHASES.map((p) => (
          <span class={`badge phase-${p}`} data-phase={p} data-count={byPhase[p]}>{PHASE_LABEL[p]} <b>{byPhase[p]}</b></span>
        ))}
        <select id="calls-task" value={task} onChange={(e) => setTask((e.target as HTMLSelectElement).value)}>
          <option value="">every campaign</option>
          {[...new Set([...tasks, ...(task ? [Number(task)] : [])])].map((t) => (
            <option value={String(t)}>{names.get(t)?.name || `task ${t}`}</option>
          ))}
        </select>
      </div>
      <table id="calls">
        <thead>
          <tr><th>campaign</th><th>phone</th><th>phase</th><th>up</th><th>talking</th></tr>
        </thead>
        <tbody>
          {calls.map((c) => <Call key={c.rowId} c={c} now={now} task={names.get(c.taskId)} />)}
          {!calls.length && <tr class="empty"><td colSpan={5}>no calls in flight</td></tr>}
        </tbody>
      </table>
    </>
  );
}
