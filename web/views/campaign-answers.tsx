/**
 * The survey's answers per question as bar charts (presses by key). Read once, then again as calls of this
 * task end — at most every 2 s: a chart that moves faster than that is not read by anyone.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { getJson } from '../api.js';
import { barChart, barsOf, type BarChartHandle } from '../charts.js';
import { useLiveEvents } from '../live.js';
import type { SurveyAnswers } from '../../src/web/api-types.js';
import { useThrottled } from './campaign-throttle.js';

const REFRESH_MS = 2000;
type Question = SurveyAnswers['questions'][number];

/** One question's chart. The plot's element is Chartist's: Preact renders it empty and never touches it again. */
function QuestionChart({ q }: { q: Question }) {
  const plot = useRef<HTMLDivElement>(null);
  const chart = useRef<BarChartHandle | null>(null);
  const bars = barsOf(q.counts);
  const key = JSON.stringify(bars);
  useEffect(() => {
    chart.current = barChart(plot.current!, bars);
    return () => chart.current?.destroy();
  }, []);
  useEffect(() => chart.current?.update(bars), [key]);
  const total = bars.values.reduce((a, b) => a + b, 0);
  const counts = JSON.stringify(Object.fromEntries(bars.labels.map((l, i) => [l, bars.values[i]])));
  return (
    <figure class="chart" data-question={q.questionCrmId} data-counts={counts} data-total={total}>
      <figcaption>
        <b>{q.questionCrmId}</b> {q.text && <span class="codes">{q.text}</span>} <span class="codes">· {total} answers</span>
      </figcaption>
      <div class="plot" ref={plot} />
    </figure>
  );
}

export function CampaignAnswers({ taskId }: { taskId: number }) {
  const [data, setData] = useState<SurveyAnswers | null>(null);
  const [error, setError] = useState('');

  const load = useCallback(async () => {
    try {
      setData(await getJson<SurveyAnswers>(`/cockpit/api/campaigns/${taskId}/answers`));
      setError('');
    } catch (e) {
      setError(`answers: ${(e as Error).message}`);
    }
  }, [taskId]);
  useEffect(() => void load(), [load]);
  const refresh = useThrottled(load, REFRESH_MS);
  useLiveEvents((e) => void (e.type === 'call.ended' && e.taskId === taskId && refresh()), [taskId, refresh]);

  if (error) return <p class="err">{error}</p>;
  if (!data || data.pollingCrmId === null) return null; // not a survey: nothing to chart
  return (
    <section id="answers" class="panel" data-polling={data.pollingCrmId}>
      <h3>Survey answers</h3>
      {!data.questions.length && <p class="codes">no answers yet</p>}
      <div class="charts">
        {data.questions.map((q) => <QuestionChart key={q.questionCrmId} q={q} />)}
      </div>
    </section>
  );
}
