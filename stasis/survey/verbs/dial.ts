import type { ActionVerb } from '../run-state.js';

/**
 * `dial`: saves the extension as the answer and ends the survey as SUCCESS_POLLING; the dialer records
 * that first and then connects the customer to the extension (as the original ran EVENT_POLLING_END
 * before Dial).
 */
export const dialAction: ActionVerb = async (run, q, press, key) => {
  await run.write(q.crmId, press.value, key);
  const exten = (press.value ?? '').trim();
  if (!exten) {
    run.log.warn({ question: q.crmId, key }, 'dial action has no extension; survey ends without connecting');
    return { kind: 'end', outcome: { result: 'SUCCESS_POLLING' } };
  }
  return { kind: 'end', outcome: { result: 'SUCCESS_POLLING', dial: exten } };
};
