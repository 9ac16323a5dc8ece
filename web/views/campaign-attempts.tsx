/**
 * Every attempt at one number of a campaign, oldest first, each with the survey answers it stored. Read when
 * the number is picked, and again when a call to it ends (its new result and answers).
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { getJson } from '../api.js';
import { useLiveEvents } from '../live.js';
import type { AttemptsOfNumber } from '../../src/web/api-types.js';
import { when } from './campaign-format.js';
import { useThrottled } from './campaign-throttle.js';

type Attempt = AttemptsOfNumber['attempts'][number];

function Answers({ a }: { a: Attempt }) {
  if (!a.answers.length) return <span class="codes">—</span>;
  return (
    <ul class="answers">
      {a.answers.map((x) => (
        <li data-question={x.questionCrmId} data-answer={x.result}>
          <b>{x.questionCrmId}</b>: {x.result}
          {x.exten && x.exten !== x.result ? ` (${x.exten})` : ''}
          {x.recognizedText ? <i> “{x.recognizedText}”</i> : null}
          <span class="codes"> {when(x.changeTime)}</span>
        </li>
      ))}
    </ul>
  );
}

export function CampaignAttempts({ taskId, phone, onClose }: { taskId: number; phone: string; onClose: () => void }) {
  const [data, setData] = useState<AttemptsOfNumber | null>(null);
  const [error, setError] = useState('');
  const seq = useRef(0);

  const load = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const d = await getJson<AttemptsOfNumber>(`/cockpit/api/campaigns/${taskId}/attempts?phone=${encodeURIComponent(phone)}`);
      if (mine === seq.current) (setData(d), setError(''));
    } catch (e) {
      if (mine === seq.current) setError(`attempts: ${(e as Error).message}`);
    }
  }, [taskId, phone]);
  useEffect(() => {
    setData(null);
    void load();
  }, [load]);

  const refresh = useThrottled(load, 500);
  useLiveEvents((e) => void (e.type === 'call.ended' && e.taskId === taskId && e.phone === phone && refresh()), [taskId, phone, refresh]);

  return (
    <section id="attempts" class="panel" data-phone={phone}>
      <div class="head">
        <h3>Attempts at {phone}</h3>
        <button class="close" onClick={onClose}>×</button>
      </div>
      {error && <p class="err">{error}</p>}
      {!data && !error && <p>Loading…</p>}
      {data && (
        <table>
          <thead>
            <tr><th>#</th><th>result</th><th>state</th><th>out / in dial</th><th>cause</th><th>time</th><th>answers</th></tr>
          </thead>
          <tbody>
            {data.attempts.map((a) => (
              <tr data-attempt={a.attemptNumber} data-attempt-row={a.rowId}>
                <td>{a.attemptNumber}</td>
                <td class="result">{a.result || (a.inCall ? 'in call' : 'open')}</td>
                <td>{a.state}</td>
                <td>{a.outDialState ?? '—'} / {a.inDialState ?? '—'}</td>
                <td class="codes">{a.cause ?? ''}</td>
                <td class="codes">{when(a.changeTime)}{a.closeTime ? <div>closed {when(a.closeTime)}</div> : null}</td>
                <td><Answers a={a} /></td>
              </tr>
            ))}
            {!data.attempts.length && <tr><td colSpan={7}>no attempts</td></tr>}
          </tbody>
        </table>
      )}
    </section>
  );
}
