import type { ActionVerb } from '../run-state.js';

/** `answer`: saves the action's value as the answer ('-' when it has none). */
export const answerAction: ActionVerb = async (run, q, press, key) => {
  await run.write(q.crmId, press.value, key);
  return { kind: 'next' };
};

/**
 * A press with no action: the original stored nothing. We store the key so the customer's choice is not
 * lost when a press is used only for branching.
 */
export const noAction: ActionVerb = async (run, q, _press, key) => {
  await run.write(q.crmId, key, key);
  return { kind: 'next' };
};
