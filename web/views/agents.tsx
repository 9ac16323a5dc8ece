/**
 * The agents (#/agents): each extension or queue the dialer follows, with its free-agent count as the stream
 * tells it (agent.state), the campaigns that send calls to it and the calls there now. Targets of open
 * extension campaigns that the dialer does not follow yet are listed too, their count unknown: the operator
 * sees a campaign waiting on a target nobody has read.
 */
import { useLive } from '../live.js';
import type { CampaignSummary, LiveCall } from '../../src/web/api-types.js';
import { STATE } from './campaigns.js';
import { PHASE_LABEL } from './campaign-format.js';
import { useCampaigns } from './calls.js';

interface Target {
  target: string;
  free: number | undefined;
  campaigns: CampaignSummary[];
  calls: LiveCall[];
}

function targetsOf(agents: Map<string, number>, campaigns: CampaignSummary[], calls: LiveCall[]): Target[] {
  const exten = campaigns.filter((c) => c.innerNumType === 'exten' && c.innerNum);
  const names = new Set([...agents.keys(), ...exten.filter((c) => c.state !== 1).map((c) => c.innerNum)]);
  return [...names]
    .sort((a, b) => a.localeCompare(b, undefined, { numeric: true }))
    .map((target) => {
      const mine = exten.filter((c) => c.innerNum === target);
      const ids = new Set(mine.map((c) => c.id));
      return { target, free: agents.get(target), campaigns: mine, calls: calls.filter((c) => c.agent === target || ids.has(c.taskId)) };
    });
}

function Row({ t }: { t: Target }) {
  const status = t.free === undefined ? 'unknown' : t.free > 0 ? 'free' : 'busy';
  return (
    <tr data-target={t.target} data-free={t.free ?? ''}>
      <td><b>{t.target}</b></td>
      <td>
        <span class={`badge ${status}`}>{status}</span> <span class="free-count">{t.free ?? '?'}</span> free
      </td>
      <td class="campaigns">
        {t.campaigns.map((c) => (
          <div data-task={c.id}>
            <a href={`#/campaign/${c.id}`}>{c.name || `task ${c.id}`}</a> <span class="codes">{STATE[c.state] ?? c.state}</span>
          </div>
        ))}
        {!t.campaigns.length && <span class="codes">—</span>}
      </td>
      <td class="agent-calls">
        {t.calls.map((c) => (
          <div data-call={c.rowId} data-phase={c.phase}>
            {c.phone} <span class={`phase badge phase-${c.phase}`}>{PHASE_LABEL[c.phase]}</span>
            {c.agent && c.agent !== t.target && <span class="agent codes">{c.agent}</span>}
          </div>
        ))}
        {!t.calls.length && <span class="codes">—</span>}
      </td>
    </tr>
  );
}

export function AgentsView(_: { params: string[] }) {
  const live = useLive();
  const campaigns = useCampaigns();
  const targets = targetsOf(live.agents, [...campaigns.values()], [...live.calls.values()]);
  return (
    <table id="agents">
      <thead>
        <tr><th>extension / queue</th><th>agents</th><th>campaigns</th><th>calls now</th></tr>
      </thead>
      <tbody>
        {targets.map((t) => <Row key={t.target} t={t} />)}
        {!targets.length && <tr class="empty"><td colSpan={4}>no extension or queue followed: no campaign sends calls to agents</td></tr>}
      </tbody>
    </table>
  );
}
