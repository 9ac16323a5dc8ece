import type { Logger } from '../../src/logger.js';
import type { CrmClient, SettingsReader } from '../../src/ports.js';
import type { CallSession } from '../session/call-session.js';
import type { KeyBuffer } from './keys.js';
import type { Press, Question, StoredPolling } from './load.js';
import type { PromptResolver } from './prompts.js';
import type { Recognitions } from './recognition.js';
import type { WriteResult } from './results.js';
import type { SurveyContext, SurveyOutcome } from './types.js';

/** The v1.35 extras a survey run may use; each is optional and degrades to a logged warning when absent. */
export interface RunExtras {
  /** Speech recognition of playback_record answers, running beside the call. */
  recognitions: Recognitions;
  crm?: CrmClient;
  settings?: SettingsReader;
  /** Absolute directory where Asterisk stores ARI recordings (its spool dir + /recording). */
  recordingsDir: string;
  /** Asterisk's maxSilenceSeconds for playback_record recordings (0 = no silence limit). */
  recordMaxSilenceSeconds: number;
  /** Real ms a confirmation or send_crm waits for recognitions still running. */
  settleMs: number;
  /** Real ms send_crm waits for the CRM at most (the client is bounded at 10 s itself). */
  crmTimeoutMs: number;
}

/** Everything one running survey needs, handed to each verb. */
export interface SurveyRun {
  session: CallSession;
  ctx: SurveyContext;
  polling: StoredPolling;
  keys: KeyBuffer;
  prompts: PromptResolver;
  write: WriteResult;
  log: Logger;
  /** Extra nominal time a prompt may take beyond its length before we stop waiting for it. */
  promptMarginMs: number;
  /** The call is over or going: the session ended, or Asterisk already asked to hang the channel up. */
  gone(): boolean;
  extras: RunExtras;
}

/** What a press action leads to: the next question (by the usual rules), a restart, or the end of the survey. */
export type ActionStep = { kind: 'next' } | { kind: 'restart' } | { kind: 'end'; outcome: SurveyOutcome };

export type ActionVerb = (run: SurveyRun, q: Question, press: Press, key: string) => Promise<ActionStep>;

export const HANGUP: SurveyOutcome = { result: 'FAIL_POLLING', reason: 'hangup' };
