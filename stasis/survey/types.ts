import type { CallSession } from '../session/call-session.js';

/** What the dialer knows about an answered polling call when it hands the channel to the survey. */
export interface SurveyContext {
  taskId: number;
  taskResultId: number;
  pollingId: number;
  phone: string;
  phoneId: string;
  /** The number's params from the task, for `<key>` placeholders in TTS text. */
  params: Record<string, unknown>;
  linkedId: string | null;
  verboseCallId: string | null;
}

/**
 * How the survey ended. The dialer records the result on the attempt row; on `dial` it records
 * SUCCESS_POLLING first and then connects the customer to the extension.
 */
export type SurveyOutcome =
  /** crm: how a send_crm action went (logged with the outcome; the attempt is SUCCESS_POLLING either way). */
  | { result: 'SUCCESS_POLLING'; dial?: string; crm?: 'answered' | 'failed' | 'not-configured' }
  | { result: 'FAIL_POLLING'; reason: 'hangup' | 'no-input' | 'no-questions' | 'unknown-polling' | 'error' };

/** Runs a stored polling on an answered channel. Never throws; a hangup is FAIL_POLLING. */
export type RunSurvey = (session: CallSession, ctx: SurveyContext) => Promise<SurveyOutcome>;
