import { HANGUP, type ActionVerb } from '../run-state.js';
import { play } from './play.js';

/**
 * `playback`: saves the key, then plays the value (a file, or a text voiced in the question's language).
 * The row is written first so the answer is kept even if the customer hangs up during the thank-you.
 * Not interruptible (the original used Playback, not Background); keys pressed meanwhile stay buffered.
 */
export const playbackAction: ActionVerb = async (run, q, press, key) => {
  await run.write(q.crmId, key, key);
  const prompt = await run.prompts.playback(press.value, press.valueOptions, q.lang, run.ctx.params);
  if (!prompt) {
    run.log.warn({ question: q.crmId, key, value: press.value }, 'playback action has nothing playable; skipped');
    return { kind: 'next' };
  }
  const r = await play(run.session, prompt, { marginMs: run.promptMarginMs });
  if (r.kind === 'gone') return { kind: 'end', outcome: HANGUP };
  if (r.kind === 'failed') run.log.warn({ question: q.crmId, key, reason: r.reason }, 'playback action failed');
  return { kind: 'next' };
};
