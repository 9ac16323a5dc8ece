import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics/index.js';
import type { AudioConverter, DialerControl, PromptPreparer } from '../ports.js';
import type { CrmClientWithTarget } from '../crm/index.js';
import type { SettingsStore } from '../services/settings/index.js';
import type { ServiceCtx } from '../services/context.js';
import type { z } from 'zod';

export interface ApiDeps {
  config: Config;
  db: Db;
  log: Logger;
  dialer: DialerControl;
  audio: AudioConverter;
  prompts: PromptPreparer;
  /**
   * The settings store the service's calls read too (createSettingsReader), so a change made here applies to the
   * next call at once. Default: one of the app's own over `db` (tests).
   */
  settings?: SettingsStore;
  /** The send_crm client, for POST /crm-check. Default: one over `settings`. */
  crm?: CrmClientWithTarget;
  /** Float unix seconds; tests may inject. */
  now?: () => number;
  /** Milliseconds clock for sessions and login throttling; tests may inject. */
  nowMs?: () => number;
  version?: string;
  /** The live event bus GET /events streams from; default: an empty one of the app's own. */
  events?: EventBus;
  /** Heartbeat interval of the event stream (tests); default 15 s. */
  sseHeartbeatMs?: number;
  /** Text-to-speech for the cockpit's preview (the engine the calls use); absent = the preview answers 503. */
  speech?: SpeechPreview;
  /** Prometheus metrics: GET /metrics and HTTP latency; absent = no /metrics route. */
  metrics?: Metrics;
}

/** Voices a text as the survey would (src/tts createTts().synthesize): the wav file's path. */
export interface SpeechPreview {
  synthesize(text: string, lang: string, opts?: { perCall?: boolean }): Promise<{ ok: true; wavPath: string } | { ok: false; message: string }>;
  /** False when the engine cannot speak at all (SpeechKit without a key): the preview answers 503, not 502. */
  isConfigured?(): Promise<boolean>;
}

export const BASE = '/pbxcore/api/module-dialer/v1';

export const serviceCtx = (d: ApiDeps): ServiceCtx => ({
  db: d.db,
  config: d.config,
  log: d.log,
  now: d.now ?? (() => Date.now() / 1000),
});

/** What /openapi.json says about one route; filled in by each route file next to its handler. */
export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  body?: z.ZodType;
  query?: z.ZodType;
  multipart?: boolean;
  /** The path is not under the v1 base (e.g. /metrics). */
  absolute?: boolean;
  /** Request headers the route reads. */
  headers?: Array<{ name: string; description: string }>;
  /** A 200 answer that is not the JSON envelope. */
  response?: { contentType: string; description: string };
}
