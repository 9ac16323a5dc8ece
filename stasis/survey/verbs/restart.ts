import type { ActionVerb } from '../run-state.js';

/** `restart` (v1.35): saves like answer, then starts over at its nextQuestion or the first question, replays reset. */
export const restartAction: ActionVerb = async (run, q, press, key) => {
  await run.write(q.crmId, press.value, key);
  return { kind: 'restart' };
};
