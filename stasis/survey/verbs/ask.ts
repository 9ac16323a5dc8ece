import type { Question } from '../load.js';
import type { Prompt } from '../prompts.js';
import type { SurveyRun } from '../run-state.js';
import { gather } from './gather.js';
import { play } from './play.js';

export type AskResult = { kind: 'key'; key: string } | { kind: 'timeout' } | { kind: 'gone' };

/**
 * One pass of a question: play its prompt (a key stops it and counts), then wait `timeout` seconds for a
 * key. On timeout the question's `defPress` is taken as the key when set. A question with nothing to
 * play but a defPress presses it straight away (v1.35's auto-press). `made` replaces the question's own
 * prompt and wait (a confirmation's read-back).
 */
export async function ask(run: SurveyRun, q: Question, made?: { prompt: Prompt | undefined; timeoutMs: number }): Promise<AskResult> {
  const defPress = q.defPress?.trim() || undefined;
  const prompt = made ? made.prompt : await run.prompts.question(q, run.ctx.params);
  if (!prompt && defPress) return { kind: 'key', key: defPress };
  if (prompt) {
    const r = await play(run.session, prompt, { bargeIn: run.keys, marginMs: run.promptMarginMs });
    if (r.kind === 'gone' || r.kind === 'key') return r;
    if (r.kind === 'failed' && !run.gone()) run.log.warn({ question: q.crmId, reason: r.reason }, 'question prompt failed');
  }
  if (run.gone()) return { kind: 'gone' };
  const g = await gather(run.session, run.keys, made?.timeoutMs ?? (q.timeout > 0 ? q.timeout : 5) * 1000);
  if (g.kind === 'timeout' && defPress) return { kind: 'key', key: defPress };
  return g;
}
