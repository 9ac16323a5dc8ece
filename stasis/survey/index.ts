import type { Clock } from '../../src/clock.js';
import type { Db } from '../../src/db/client.js';
import type { Logger } from '../../src/logger.js';
import type { CrmClient, SettingsReader, SpeechRecognizer } from '../../src/ports.js';
import { endsChannel } from './hangup.js';
import { createKeyBuffer } from './keys.js';
import { loadPolling } from './load.js';
import { createPromptResolver, type PromptTts } from './prompts.js';
import { createRecognitions } from './recognition.js';
import { createResultsWriter } from './results.js';
import { runQuestions } from './run.js';
import type { RunSurvey } from './types.js';

export type { RunSurvey, SurveyContext, SurveyOutcome } from './types.js';

/**
 * After Asterisk asked to hang the channel up, how long (nominal) the survey waits for the channel to be gone
 * before reporting the hangup, so the dialer records the hangup cause that comes with ChannelDestroyed.
 */
const HANGUP_SETTLE_MS = 2000;

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
  /** Speech recognition for playback_record presses with needRecognize=1; absent = recordings are only kept. */
  recognizer?: SpeechRecognizer;
  /** Where send_crm posts the call's answers; absent = send_crm ends the survey without asking a CRM. */
  crm?: CrmClient;
  /** crmUrl (empty = CRM not configured) and the default crmResponseTemplate, read when send_crm runs. */
  settings?: SettingsReader;
  /**
   * Where Asterisk stores ARI recordings: `<astspooldir>/recording` of the PBX (default
   * /var/spool/asterisk/recording). playback_record stores `<recordingsDir>/<name>.wav` as the answer's exten.
   */
  recordingsDir?: string;
  /** maxSilenceSeconds of playback_record recordings (default 5; 0 = none): a spoken answer ends after this much silence. */
  recordMaxSilenceSeconds?: number;
  /** Real ms a confirmation question or send_crm waits for recognitions still running (default 5000). */
  pendingRecognitionWaitMs?: number;
  /** Real ms one recognition may take before it is given up (default 15000). */
  recognitionTimeoutMs?: number;
  /** Real ms send_crm waits for the CRM at most (default 12000; the client gives up after 10 s itself). */
  crmTimeoutMs?: number;
}

export const DEFAULT_RECORDINGS_DIR = '/var/spool/asterisk/recording';

/**
 * The survey engine the dialer hands answered polling calls to. Reads the polling once, runs it over
 * the call session and returns how it ended; never throws (a failure is FAIL_POLLING 'error').
 */
export function createSurveyRunner(deps: SurveyDeps): RunSurvey {
  const prompts = createPromptResolver(deps.tts, deps.log);
  return async (session, ctx) => {
    const log = session.log.child({ pollingId: ctx.pollingId, taskId: ctx.taskId });
    const polling = await loadPolling(deps.db, ctx.pollingId).catch((err: unknown) => {
      log.error({ err }, 'could not read the polling');
      return null;
    });
    if (polling === null) return { result: 'FAIL_POLLING', reason: 'error' };
    if (!polling) {
      log.error('polling task points to a polling that does not exist');
      return { result: 'FAIL_POLLING', reason: 'unknown-polling' };
    }
    if (polling.questions.length === 0) {
      log.error('polling has no questions');
      return { result: 'FAIL_POLLING', reason: 'no-questions' };
    }
    const keys = createKeyBuffer(session);
    // A hangup request comes before the channel is gone (and before a playback it cut short reports failed).
    let hangupRequested = false;
    const off = session.on((e) => {
      if (endsChannel(e, session.channelId)) hangupRequested = true;
    });
    const gone = () => session.ended !== undefined || hangupRequested;
    try {
      const write = createResultsWriter(deps.db, deps.clock, ctx);
      const extras = {
        recognitions: createRecognitions({ recognizer: deps.recognizer, write, log, timeoutMs: deps.recognitionTimeoutMs }),
        crm: deps.crm,
        settings: deps.settings,
        recordingsDir: deps.recordingsDir ?? DEFAULT_RECORDINGS_DIR,
        recordMaxSilenceSeconds: deps.recordMaxSilenceSeconds ?? 5,
        settleMs: deps.pendingRecognitionWaitMs ?? 5000,
        crmTimeoutMs: deps.crmTimeoutMs ?? 12_000,
      };
      const run = { session, ctx, polling, keys, prompts, write, log, promptMarginMs: deps.promptMarginMs ?? 5000, gone, extras };
      const outcome = await runQuestions(run, { maxReplays: deps.maxReplays ?? 3, maxSteps: 200 });
      if (outcome.result === 'FAIL_POLLING' && outcome.reason === 'hangup') await settled(session);
      log.info({ outcome }, 'survey ended');
      return outcome;
    } catch (err) {
      if (gone()) {
        await settled(session);
        return { result: 'FAIL_POLLING', reason: 'hangup' };
      }
      log.error({ err }, 'survey failed');
      return { result: 'FAIL_POLLING', reason: 'error' };
    } finally {
      off();
    }
  };
}

/** Resolves once the channel is gone, or after HANGUP_SETTLE_MS if Asterisk never says so. */
async function settled(session: Parameters<RunSurvey>[0]): Promise<void> {
  if (!session.ended) await session.waitFor(() => undefined, HANGUP_SETTLE_MS);
}
