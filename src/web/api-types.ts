/**
 * What the cockpit's own endpoints (/cockpit/api/…) answer: shared by the server (src/web) and the page (web/),
 * so a change on one side is a type error on the other. Same auth as the v1 API. Everything else the page does
 * goes through the v1 API itself (tasks, pollings, audio, do-not-call list, settings) and the event stream.
 */
export type { CampaignSummary } from './campaigns.js';
export type { LiveCall, LiveSnapshot } from '../events/live-state.js';
export type { CallPhase, LiveEvent } from '../events/types.js';

/** A failed cockpit request: HTTP 4xx/5xx with this body; `field` names the parameter at fault, when one is. */
export interface CockpitError {
  error: string;
  field?: string;
}

/** One attempt row of a campaign (task_results), as the numbers table shows it. */
export interface NumberRow {
  rowId: number;
  phone: string;
  clientId: string;
  /** '' while the attempt is open. */
  result: string;
  state: string;
  outDialState: string | null;
  inDialState: string | null;
  cause: string | null;
  attemptNumber: number;
  /** Seconds since the epoch (fractional). */
  changeTime: number;
  /** 0 = open. */
  closeTime: number;
  /** Not before this (seconds since the epoch); 0 = at once. */
  timeCallAllow: number;
  inCall: boolean;
}

/**
 * GET /cockpit/api/campaigns/:id/numbers — keyset paging in id order (fast on page 10 000 as on page 1):
 *   ?limit=1..500 (default 50)
 *   &after=<rowId>  the next page (rows with a larger id) | &before=<rowId> the previous page
 *   &phone=<digits> rows whose phone contains these digits (a prefix search is indexed; 3+ digits)
 *   &result=<code> | open | done  (a result code, still open, or closed with any result)
 * 400 CockpitError naming the field for a bad parameter, 404 for an unknown task.
 */
export interface NumbersPage {
  rows: NumberRow[];
  /** Pass as `after` for the next page; null on the last page. */
  nextAfter: number | null;
  /** Pass as `before` for the previous page; null on the first page. */
  prevBefore: number | null;
  /** Rows matching the filter, when counting them was cheap enough (≤ ~100 ms); null otherwise. */
  total: number | null;
}

/** One key press / recording the survey stored for an attempt (polling_results). */
export interface AnswerRow {
  questionCrmId: string;
  result: string;
  exten: string;
  recognizedText: string | null;
  changeTime: number;
}

/** GET /cockpit/api/campaigns/:id/attempts?phone=<phone> — every attempt at one number in this task, oldest first. */
export interface AttemptsOfNumber {
  phone: string;
  attempts: Array<NumberRow & { answers: AnswerRow[] }>;
}

/** GET /cockpit/api/campaigns/:id/answers — the survey's answers per question, for charts. */
export interface SurveyAnswers {
  /** The polling's crmId, null when the task is not a survey. */
  pollingCrmId: string | null;
  questions: Array<{
    questionCrmId: string;
    /** The question's text (its first TTS text or audio name), '' when unknown. */
    text: string;
    /** Presses by key / result, e.g. { "1": 120, "2": 31 }. */
    counts: Record<string, number>;
  }>;
}

/**
 * POST /cockpit/api/campaigns/:id/import — numbers from a CSV or XLSX file (multipart field `file`, or the body
 * itself with content-type text/csv or the xlsx type), added to the task as POST /task would add them (a number
 * already in the task is not added twice; do-not-call numbers are still stored and closed FAIL_DNC when due).
 * CSV: a header row naming `phone` (or `number`), optional `clientId` and any other columns as the number's
 * params; or no header and the phone in the first column. A file with a bad row imports nothing: 400 with
 * `errors` naming the lines.
 */
export interface ImportOutcome {
  added: number;
  /** Numbers already in the task. */
  duplicates: number;
  errors: string[];
}

/**
 * GET /cockpit/api/campaigns/:id/export?format=csv|xlsx[&result=…] — the task's attempts (the columns of
 * /results: phone, clientId, result, outDialState, inDialState, state, cause, attemptNumber, changeTime, closeTime)
 * plus, for a survey, one column per question with the last answer of that attempt. Streamed as an attachment.
 */
export type ExportFormat = 'csv' | 'xlsx';

/** POST /cockpit/api/tts-preview {text, lang?} — the text spoken by the configured engine: audio/wav. */
export interface TtsPreviewRequest {
  text: string;
  lang?: string;
}
