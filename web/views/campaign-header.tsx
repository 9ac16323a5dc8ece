/**
 * The head of a campaign's page: name, state, live counts, answer rate, results by code, and the buttons that
 * pause, resume or close it. Counts are the stream's task.progress when it has told of this task, else the
 * campaign as read from the server.
 */
import type { CampaignSummary } from '../../src/web/api-types.js';
import { STATE } from './campaigns.js';
import { answerRate } from './campaign-format.js';

export type Counts = Pick<CampaignSummary, 'waiting' | 'inCall' | 'done' | 'answered' | 'results'>;

export function CampaignHeader({ id, c, counts, state, act }: { id: number; c: CampaignSummary | null; counts: Counts; state: number | undefined; act: (state: number) => void }) {
  const total = counts.waiting + counts.inCall + counts.done || 1;
  const codes = Object.entries(counts.results).sort((a, b) => b[1] - a[1]);
  return (
    <section id="campaign" class="panel" data-task={id} data-state={state === undefined ? '' : STATE[state]}>
      <div class="head">
        <h2>{c?.name || `task ${id}`}</h2>
        <span class={`state badge state-${state === undefined ? '' : STATE[state]}`}>{state === undefined ? '…' : (STATE[state] ?? state)}</span>
        <span class="actions">
          {state === 0 && <button onClick={() => act(2)}>Pause</button>}
          {state === 2 && <button onClick={() => act(0)}>Resume</button>}
          {state !== undefined && state !== 1 && <button onClick={() => act(1)}>Close</button>}
          <a class="edit" href={`#/task/${id}/edit`}>Edit</a>
        </span>
      </div>
      {c && (
        <div class="codes">
          #{id}
          {c.crmId && ` · crm ${c.crmId}`} · {c.innerNumType} {c.innerNum} · {c.maxCountChannels} channels
        </div>
      )}
      <div class="bar wide" title={`${counts.done} done, ${counts.inCall} in call, ${counts.waiting} waiting`}>
        <span class="done" style={{ width: `${(100 * counts.done) / total}%` }} />
        <span class="call" style={{ width: `${(100 * counts.inCall) / total}%` }} />
      </div>
      <div class="counts">
        <span class="waiting">{counts.waiting}</span> waiting · <span class="in-call">{counts.inCall}</span> in call ·{' '}
        <span class="done-count">{counts.done}</span> done · answered <span class="answer-rate">{answerRate(counts.answered, counts.done)}</span>
      </div>
      <div class="codes results">
        {codes.length ? codes.map(([k, v]) => <span class="result" data-result={k}>{k} <b>{v}</b></span>) : 'no results yet'}
      </div>
    </section>
  );
}
