import type { Clock } from '../../src/clock.js';
import type { Db } from '../../src/db/client.js';
import type { Logger } from '../../src/logger.js';
import { createKeyBuffer } from './keys.js';
import { loadPolling } from './load.js';
import { createPromptResolver, type PromptTts } from './prompts.js';
import { createResultsWriter } from './results.js';
import { runQuestions } from './run.js';
import type { RunSurvey } from './types.js';

export type { RunSurvey, SurveyContext, SurveyOutcome } from './types.js';

export interface SurveyDeps {
  db: Db;
  log: Logger;
  /** Wall clock for changeTime; waits use the session's (scaled) clock. */
  clock: Pick<Clock, 'now'>;
  /** Text-to-speech (createTts); when not configured, text prompts play a beep. */
  tts: PromptTts;
  /** Replays of one question before FAIL_POLLING (default 3). */
  maxReplays?: number;
  /** Nominal extra time a prompt may take beyond its length (default 5 s). */
  promptMarginMs?: number;
}

/**
 * The survey engine the dialer hands answered polling calls to. Reads the polling once, runs it over
 * the call session and returns how it ended; never throws (a failure is FAIL_POLLING 'error').
 */
export function createSurveyRunner(deps: SurveyDeps): RunSurvey {
  const prompts = createPromptResolver(deps.tts, deps.log);
  return async (session, ctx) => {
    const log = session.log.child({ pollingId: ctx.pollingId, taskId: ctx.taskId });
    const polling = loadPolling(deps.db, ctx.pollingId);
    if (!polling) {
      log.error('polling task points to a polling that does not exist');
      return { result: 'FAIL_POLLING', reason: 'unknown-polling' };
    }
    if (polling.questions.length === 0) {
      log.error('polling has no questions');
      return { result: 'FAIL_POLLING', reason: 'no-questions' };
    }
    const keys = createKeyBuffer(session);
    try {
      const write = createResultsWriter(deps.db, deps.clock, ctx);
      const run = { session, ctx, polling, keys, prompts, write, log, promptMarginMs: deps.promptMarginMs ?? 5000 };
      const outcome = await runQuestions(run, { maxReplays: deps.maxReplays ?? 3, maxSteps: 200 });
      log.info({ outcome }, 'survey ended');
      return outcome;
    } catch (err) {
      if (session.ended) return { result: 'FAIL_POLLING', reason: 'hangup' };
      log.error({ err }, 'survey failed');
      return { result: 'FAIL_POLLING', reason: 'error' };
    }
  };
}
