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
