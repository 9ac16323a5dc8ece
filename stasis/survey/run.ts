import type { Question } from './load.js';
import { HANGUP, type ActionVerb, type SurveyRun } from './run-state.js';
import type { SurveyOutcome } from './types.js';
import { answerAction, noAction } from './verbs/answer.js';
import { ask } from './verbs/ask.js';
import { confirm } from './verbs/confirm.js';
import { dialAction } from './verbs/dial.js';
import { playbackAction } from './verbs/playback.js';
import { playbackRecordAction } from './verbs/record.js';
import { restartAction } from './verbs/restart.js';
import { sendCrmAction } from './verbs/send-crm.js';

const ACTIONS: Record<string, ActionVerb> = {
  '': noAction,
  answer: answerAction,
  playback: playbackAction,
  dial: dialAction,
  restart: restartAction,
  playback_record: playbackRecordAction,
  send_crm: sendCrmAction,
};

export interface LoopLimits {
  /** Replays of one question after a timeout or an unknown key before FAIL_POLLING (counter reset per question). */
  maxReplays: number;
  /** Questions entered in one call, so a survey that loops by nextQuestion / restart cannot run forever. */
  maxSteps: number;
}

/**
 * The survey interpreter: ask the current question, run the press's action, then go to the press's
 * nextQuestion, else the question's, else end with SUCCESS_POLLING.
 */
export async function runQuestions(run: SurveyRun, limits: LoopLimits): Promise<SurveyOutcome> {
  const { polling, log } = run;
  const first = polling.questions[0];
  let q: Question = first;
  let replays = 0;
  for (let step = 0; step < limits.maxSteps; step++) {
    if (run.gone()) return HANGUP;
    const asked = q.type === 'confirmation' ? await confirm(run, q) : await ask(run, q);
    if (asked.kind === 'gone') return HANGUP;
    const press = asked.kind === 'key' ? q.presses.find((p) => p.key === asked.key) : undefined;
    if (!press || asked.kind !== 'key') {
      replays += 1;
      log.debug({ question: q.crmId, heard: asked.kind === 'key' ? asked.key : 'nothing', replays }, 'replaying question');
      if (replays > limits.maxReplays) return { result: 'FAIL_POLLING', reason: 'no-input' };
      continue;
    }
    const verb = ACTIONS[press.action] ?? unsupported;
    const done = await verb(run, q, press, asked.key);
    if (done.kind === 'end') return done.outcome;
    const target = done.kind === 'restart' ? press.nextQuestion || first.crmId : press.nextQuestion || q.nextQuestion;
    if (run.gone()) {
      // A playback action cut short by the hangup (it reports failed before the channel is gone): the closing
      // message was not heard, the survey did not end. But a last answer that arrived before the hangup
      // completes it, even when the key is handled after the hangup is known (a busy dialer, a quick caller).
      if (target || press.action === 'playback') return HANGUP;
    }
    if (!target) return { result: 'SUCCESS_POLLING' };
    const next = polling.questions.find((x) => x.crmId === target);
    if (!next) {
      // Same as the original's [M] generator: a nextQuestion that names no question ends the survey.
      log.warn({ question: q.crmId, nextQuestion: target }, 'nextQuestion names no question of this polling; survey ends');
      return { result: 'SUCCESS_POLLING' };
    }
    q = next;
    replays = 0; // per question: the original's counter leaked across questions and cut long surveys short
  }
  log.error({ steps: limits.maxSteps }, 'survey went through too many questions; stopping it');
  return { result: 'FAIL_POLLING', reason: 'error' };
}

const unsupported: ActionVerb = async (run, q, press, key) => {
  run.log.warn({ question: q.crmId, action: press.action }, 'unsupported press action; treated as no action');
  return noAction(run, q, press, key);
};
