/**
 * One campaign (#/campaign/<id>): its head (counts, answer rate, results, pause / resume / close), its numbers
 * page by page with the attempts of a picked number, the survey's answers as charts, and the import / export of
 * numbers (campaign-files.tsx). Everything stays current from the event stream; nothing reloads the page.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { getJson } from '../api.js';
import { useLive, useLiveEvents } from '../live.js';
import type { CampaignSummary } from '../../src/web/api-types.js';
import { setTaskState } from './campaigns.js';
import { CampaignAnswers } from './campaign-answers.js';
import { CampaignFiles } from './campaign-files.js';
import { CampaignHeader, type Counts } from './campaign-header.js';
import { CampaignNumbers } from './campaign-numbers.js';

const NO_COUNTS: Counts = { waiting: 0, inCall: 0, done: 0, answered: 0, results: {} };

/**
 * The campaign as the server knows it: GET /cockpit/api/campaigns/:id when the server has it, else found in the
 * list of campaigns (the newest 200), which every server of the cockpit answers.
 */
async function readCampaign(id: number): Promise<CampaignSummary | null> {
  try {
    const one = await getJson<CampaignSummary | { campaign: CampaignSummary }>(`/cockpit/api/campaigns/${id}`);
    const c = 'campaign' in one ? one.campaign : one;
    if (c && Number(c.id) === id) return c;
  } catch {
    // no such endpoint (or no such task): the list says which
  }
  const { campaigns } = await getJson<{ campaigns: CampaignSummary[] }>('/cockpit/api/campaigns');
  return campaigns.find((c) => c.id === id) ?? null;
}

/** Keyed by id: another campaign starts with a fresh page (first page, no filter), not this one's. */
export function CampaignView({ params }: { params: string[] }) {
  return <Campaign key={params[0]} id={Number(params[0])} />;
}

function Campaign({ id }: { id: number }) {
  const live = useLive();
  const [c, setC] = useState<CampaignSummary | null | undefined>(undefined);
  const [error, setError] = useState('');

  const load = useCallback(async () => {
    try {
      setC(await readCampaign(id));
      setError('');
    } catch (e) {
      setError(`could not read campaign ${id}: ${(e as Error).message}`);
    }
  }, [id]);
  useEffect(() => void load(), [load]);
  // A state change from elsewhere (another operator, the task finishing): the head shows it at once.
  useLiveEvents((e) => void (e.type === 'task.state' && e.taskId === id && setC((old) => (old ? { ...old, state: e.state } : old))), [id]);

  const progress = live.tasks.get(id);
  const counts: Counts = progress ?? c ?? NO_COUNTS;
  const state = c?.state ?? progress?.state;
  const act = async (next: number) => {
    try {
      await setTaskState(id, next);
      setC((old) => (old ? { ...old, state: next } : old));
    } catch (e) {
      setError(`could not change the campaign: ${(e as Error).message}`);
    }
  };

  if (c === null && !progress) return <p class="err" id="campaign-missing">No campaign {id}.</p>;
  return (
    <>
      <p class="crumbs"><a href="#/">Campaigns</a> › {c?.name || `task ${id}`}</p>
      {error && <p class="err">{error}</p>}
      <CampaignHeader id={id} c={c ?? null} counts={counts} state={state} act={act} />
      <div class="panel files"><CampaignFiles taskId={id} /></div>
      <CampaignAnswers taskId={id} />
      <CampaignNumbers taskId={id} codes={Object.keys(counts.results)} />
    </>
  );
}
