/**
 * Interfaces through which src/ (API, services) reaches things built elsewhere. The composition root
 * (stasis/main.ts) hands implementations in; src/ never imports stasis/.
 */

export interface DialerStatus {
  ari: 'connected' | 'connecting' | 'disconnected';
  /** True when ARI is the built-in simulator rather than a real Asterisk. */
  simulator: boolean;
  callsInFlight: number;
  draining: boolean;
  /** How ARI requests travel: over the event WebSocket (Asterisk 22.4+) or HTTP. */
  ariTransport?: 'websocket' | 'http';
  /** This dialer node (DIALER_NODE_ID) and its epoch, among the nodes sharing the database. */
  node?: { id: string; epoch: number };
}

/** What the API may ask of the dialer. */
export interface DialerControl {
  /** Tasks or numbers changed (created, resumed, numbers added, signal-close …): re-evaluate now. */
  tasksChanged(taskIds?: number[]): void;
  status(): DialerStatus;
}

export const idleDialer: DialerControl = {
  tasksChanged: () => {},
  status: () => ({ ari: 'disconnected', simulator: false, callsInFlight: 0, draining: false }),
};

/** Converts an uploaded audio file into what Asterisk plays (8 kHz mono 16-bit wav). */
export interface AudioConverter {
  /**
   * Convert `inputPath` into `<outputBase>.wav` (and any other formats), verify the result.
   * Never throws for bad input: returns ok:false with a message a user can act on.
   */
  convert(inputPath: string, outputBase: string): Promise<{ ok: true; wavPath: string } | { ok: false; message: string }>;
}

export interface PromptText {
  text: string;
  lang: string;
  /** Where the prompt comes from, e.g. "questions[0]" — used in error and warning messages. */
  label?: string;
}

/**
 * Prepares spoken prompts (TTS) ahead of calls, so a broken key or text is reported when a polling is
 * saved rather than failing silently during calls.
 * - errors: prompts that could not be voiced although TTS is configured (bad key, rejected text, service
 *   down). The API refuses the polling with these messages and saves nothing.
 * - warnings: the polling is usable but degraded, e.g. TTS is not configured at all, so text prompts will be
 *   replaced by a beep. The API saves and returns these in `messages`.
 */
export interface PromptPreparer {
  prepare(prompts: PromptText[]): Promise<{ errors: string[]; warnings: string[] }>;
}

export const noPromptPreparer: PromptPreparer = { prepare: async () => ({ errors: [], warnings: [] }) };

/**
 * The module-form settings of the original (v1.35), as the dialer and the survey use them: stored in the
 * database, the environment giving the defaults. Read at use time, so a change applies to the next call.
 */
export interface CallSettings {
  /** Prefix for tasks whose dialPrefix is empty. */
  defaultDialPrefix: string;
  /** Played to the operator before a callback; '' = no alert, the customer is dialed at once. */
  callbackAlertText: string;
  /** send_crm: where the survey's answers go; '' = not configured. */
  crmUrl: string;
  /** send_crm: the spoken answer when a press has no template of its own; `<result>` = the CRM's data. */
  crmResponseTemplate: string;
}

export interface SettingsReader {
  /** Never throws: on a database error the last known (or environment) settings are returned. */
  current(): Promise<CallSettings>;
}

/** What a speech recognizer makes of one recording (Yandex SpeechKit STT v1 in production). */
export type RecognizeResult = { ok: true; text: string } | { ok: false; message: string };

export interface SpeechRecognizer {
  /** False when recognition is not configured (no key or folder id): recordings are kept, not sent. */
  configured(): Promise<boolean>;
  /** Recognise a recorded wav (8 kHz mono 16-bit). Bounded in time (10 s); never throws. */
  recognize(wavPath: string, lang: string, signal?: AbortSignal): Promise<RecognizeResult>;
}

/** The body send_crm POSTs, as the original's: the survey's answers of this call. */
export interface CrmRequest {
  phone: string;
  linkedId: string | null;
  pollingId: number;
  results: Array<{ questionId: string; result: string; exten: string; recognizedText: string | null; recognizeLabel: string | null }>;
}

export type CrmResult = { ok: true; status: number; data: string } | { ok: false; message: string };

export interface CrmClient {
  /** POST the request to the configured CRM URL (Basic auth when set). Bounded in time (10 s); never throws. */
  send(req: CrmRequest, signal?: AbortSignal): Promise<CrmResult>;
}
