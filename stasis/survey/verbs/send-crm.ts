import { fillResponseTemplate } from '../../../src/crm/index.js';
import type { CrmRequest, CrmResult } from '../../../src/ports.js';
import { HANGUP, type ActionVerb, type SurveyRun } from '../run-state.js';
import type { SurveyOutcome } from '../types.js';
import { play } from './play.js';

/**
 * `send_crm` (v1.35): stores the key, POSTs this call's answers to the CRM ({phone, linkedId, pollingId,
 * results}), speaks the press's crmResponseTemplate (else the settings' one; neither = the data itself) with
 * `<result>` replaced by the CRM's `data`, and ends the survey SUCCESS_POLLING. Recognitions still running are waited for (bounded) first,
 * so the CRM gets the recognised text.
 *
 * Failures never hold the call: CRM not configured, an error answer or no answer within crmTimeoutMs → a
 * warning is logged, nothing is spoken and the survey still ends SUCCESS_POLLING (the customer finished it),
 * with `crm: 'not-configured' | 'failed'` in the outcome. A hangup while waiting (the session's signal cancels
 * the request) or while the answer is spoken ends it FAIL_POLLING.
 */
export const sendCrmAction: ActionVerb = async (run, q, press, key) => {
  const { log } = run;
  await run.write(q.crmId, key, key);
  const settings = await run.extras.settings?.current();
  const crm = run.extras.crm;
  if (!crm || (settings && !settings.crmUrl.trim())) {
    log.warn({ question: q.crmId }, 'send_crm: no CRM is configured (crmUrl); the survey ends without asking one');
    return end(run, 'not-configured');
  }
  const settled = await run.extras.recognitions.settle(run.extras.settleMs, run.session.signal);
  if (!settled && !run.gone()) log.warn({ question: q.crmId }, 'send_crm: sending without recognitions still running');
  if (run.gone()) return { kind: 'end', outcome: HANGUP };

  const started = Date.now();
  const r = await askCrm(run, crm.send.bind(crm), requestOf(run));
  if (run.gone()) return { kind: 'end', outcome: HANGUP };
  if (!r.ok) {
    log.warn({ question: q.crmId, reason: r.message, ms: Date.now() - started }, 'send_crm: the CRM request failed; the survey ends without its answer');
    return end(run, 'failed');
  }
  log.info({ question: q.crmId, status: r.status, ms: Date.now() - started }, 'send_crm: the CRM answered');
  // with no template at all the data itself is spoken (CRM_RESPONSE_TEMPLATE, docs/api.md); an empty answer is not
  const template = press.crmResponseTemplate?.trim() || settings?.crmResponseTemplate?.trim() || '';
  const prompt = await run.prompts.callText(fillResponseTemplate(template, spelled(r.data)), 'ru-RU');
  if (prompt) {
    const p = await play(run.session, prompt, { marginMs: run.promptMarginMs });
    if (p.kind === 'gone' || run.gone()) return { kind: 'end', outcome: HANGUP };
    if (p.kind === 'failed') log.warn({ question: q.crmId, reason: p.reason }, 'send_crm: the CRM answer could not be played');
  }
  return end(run, 'answered');
};

const end = (run: SurveyRun, crm: 'answered' | 'failed' | 'not-configured') => {
  const outcome: SurveyOutcome = { result: 'SUCCESS_POLLING', crm };
  return run.gone() && crm === 'answered' ? { kind: 'end' as const, outcome: HANGUP } : { kind: 'end' as const, outcome };
};

/** The original spelled an all-digit answer digit by digit for TTS ("123" → "1 2 3"). */
const spelled = (data: string) => (/^\d+$/.test(data.trim()) ? data.trim().split('').join(' ') : data);

/** This call's answers, every stored row in order (the last per question is its current answer). */
function requestOf(run: SurveyRun): CrmRequest {
  return {
    phone: run.ctx.phone,
    linkedId: run.ctx.linkedId,
    pollingId: run.ctx.pollingId,
    results: run.write.answers.map((a) => ({
      questionId: a.questionCrmId,
      result: a.result,
      exten: a.exten,
      recognizedText: a.recognizedText,
      recognizeLabel: a.recognizeLabel,
    })),
  };
}

/** The CRM call, cancelled by a hangup and bounded by crmTimeoutMs even if the client ignores its signal. */
async function askCrm(run: SurveyRun, send: (req: CrmRequest, signal?: AbortSignal) => Promise<CrmResult>, req: CrmRequest): Promise<CrmResult> {
  const abort = new AbortController();
  const ms = run.extras.crmTimeoutMs;
  const onHangup = () => abort.abort();
  run.session.signal.addEventListener('abort', onHangup, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const bounded = new Promise<CrmResult>((resolve) => {
    timer = setTimeout(() => {
      resolve({ ok: false, message: `no answer within ${ms} ms` });
      abort.abort();
    }, ms);
    abort.signal.addEventListener('abort', () => resolve({ ok: false, message: 'cancelled: the call ended' }), { once: true });
  });
  try {
    const r = await Promise.race([send(req, abort.signal).catch((err: unknown) => ({ ok: false as const, message: String(err) })), bounded]);
    if (r.ok && (r.status < 200 || r.status > 299)) return { ok: false, message: `HTTP ${r.status}` };
    return r;
  } finally {
    clearTimeout(timer);
    run.session.signal.removeEventListener('abort', onHangup);
  }
}
