import { substituteParams } from '../params.js';
import type { Question } from '../load.js';
import type { Answer } from '../results.js';
import type { SurveyRun } from '../run-state.js';
import { ask, type AskResult } from './ask.js';

/** A confirmation question waits at least this long for the key (v1.35: WaitExten(max(timeout,10))). */
const MIN_CONFIRM_SECONDS = 10;

/**
 * The read-back of a confirmation question: its text, then "label: answer" for each question this call
 * answered (the latest answer per question, in the order given), as v1.35's confirm-stt.php builds it:
 * `<question text> <label>: <text>. <label>: <text>.`. An answer's words are what speech recognition heard, else
 * its result (digits or the press's value); the label is the press's recognizeLabel, else the question's id.
 * Answers with nothing to say ('-', no recognised text) and answers to confirmation questions are left out.
 * Undefined when nothing is left to confirm.
 */
export function confirmationText(baseText: string, answers: readonly Answer[], confirmationIds: ReadonlySet<string>): string | undefined {
  const latest = new Map<string, Answer>();
  for (const a of answers) {
    if (confirmationIds.has(a.questionCrmId)) continue;
    latest.delete(a.questionCrmId); // re-answered: it moves to where it was answered last
    latest.set(a.questionCrmId, a);
  }
  const parts: string[] = [];
  for (const a of latest.values()) {
    const words = a.recognizedText?.trim() || (a.result !== '-' ? a.result.trim() : '');
    if (!words) continue;
    parts.push(`${a.recognizeLabel?.trim() || a.label}: ${words}`);
  }
  if (parts.length === 0) return undefined;
  return `${baseText.trim()} ${parts.join('. ')}.`.trim();
}

/**
 * A `type: "confirmation"` question: waits (bounded) for recognitions still running, reads back this call's
 * answers, then waits max(timeout, 10) s for a key. Nothing to confirm → its defPress is taken as pressed;
 * without a defPress it is asked as an ordinary question.
 */
export async function confirm(run: SurveyRun, q: Question): Promise<AskResult> {
  const settled = await run.extras.recognitions.settle(run.extras.settleMs, run.session.signal);
  if (!settled && !run.gone()) run.log.warn({ question: q.crmId, pending: run.extras.recognitions.pending }, 'confirmation reads back without recognitions still running');
  if (run.gone()) return { kind: 'gone' };
  const confirmationIds = new Set(run.polling.questions.filter((x) => x.type === 'confirmation').map((x) => x.crmId));
  const text = confirmationText(substituteParams(q.questionText ?? '', run.ctx.params), run.write.answers, confirmationIds);
  const defPress = q.defPress?.trim() || undefined;
  if (text === undefined) {
    run.log.info({ question: q.crmId, defPress }, 'confirmation question has nothing to confirm');
    return defPress ? { kind: 'key', key: defPress } : ask(run, q);
  }
  run.log.debug({ question: q.crmId, text }, 'confirmation read-back');
  const prompt = await run.prompts.callText(text, q.lang || 'ru-RU');
  const seconds = Math.max(q.timeout > 0 ? q.timeout : 5, MIN_CONFIRM_SECONDS);
  return ask(run, q, { prompt, timeoutMs: seconds * 1000 });
}
