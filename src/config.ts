import { join } from 'node:path';
import { z } from 'zod';

/**
 * The whole configuration, parsed once from the environment at start-up (loadConfig) and passed down.
 * Nothing else in the project reads process.env. Every variable is documented in README.md.
 */

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const optionalString = z.string().optional().transform((v) => (v === '' ? undefined : v));

const EnvSchema = z.object({
  // --- HTTP API -------------------------------------------------------------------------------
  DIALER_HTTP_HOST: z.string().min(1).default('0.0.0.0'),
  DIALER_HTTP_PORT: int(0, 65535).default(8090),
  DIALER_DATA_DIR: z.string().min(1).default('./data'),
  /** postgres://user:pass@host/db = PostgreSQL (several dialer nodes); unset = SQLite in DIALER_DATA_DIR. */
  DATABASE_URL: optionalString.pipe(
    z.string().regex(/^(postgres(ql)?:\/\/.+|[^:]+|:memory:)$/, 'a postgres:// URL, or a SQLite file path').optional(),
  ),
  DATABASE_POOL_SIZE: int(1, 200).default(10),
  /** This dialer node's name, unique among the nodes sharing one database (one node per PBX). */
  DIALER_NODE_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - only (at most 64)').default('local'),
  /** A node that has not renewed its lease for this long is taken to be dead; a peer takes its calls over. */
  DIALER_NODE_LEASE_SECONDS: num(2, 3600).default(30),
  /**
   * Extensions and queues that live on this node's PBX: only this node dials exten tasks for them. Empty =
   * every exten task (one PBX). Polling tasks are dialed by every node.
   */
  DIALER_NODE_TARGETS: list.default([]),
  DIALER_ADMIN_LOGIN: z.string().min(1).default('admin'),
  DIALER_ADMIN_PASSWORD: optionalString,
  DIALER_API_TOKENS: list.default([]),
  DIALER_TRUSTED_PROXIES: list.default([]),
  DIALER_SESSION_TTL_SECONDS: int(60, 30 * 86400).default(3600),
  DIALER_MAX_BODY_BYTES: int(1024, 1024 ** 3).default(50 * 1024 * 1024),
  DIALER_MAX_UPLOAD_BYTES: int(1024, 1024 ** 3).default(50 * 1024 * 1024),
  DIALER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** IANA zone of the PBX: timeCallAllow dates and task windows are read in it. */
  DIALER_TIMEZONE: z
    .string()
    .default(Intl.DateTimeFormat().resolvedOptions().timeZone)
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/Moscow'),

  // --- Asterisk ARI ---------------------------------------------------------------------------
  ARI_URL: optionalString.pipe(z.string().url().optional()),
  ARI_USERNAME: z.string().default('autodialer'),
  ARI_PASSWORD: z.string().default('autodialer'),
  ARI_APP: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only').default('autodialer'),

  // --- Dialing --------------------------------------------------------------------------------
  /** Where customers are dialed; {prefix} and {number} are substituted. */
  DIALER_ORIGINATE_ENDPOINT: z.string().includes('{number}').default('Local/{prefix}{number}@outgoing'),
  DIALER_DEFAULT_DIAL_PREFIX: z.string().regex(/^[0-9*#+]*$/).default(''),
  /** Where Asterisk writes ARI recordings (<astspooldir>/recording): playback_record stores <dir>/<name>.wav. */
  DIALER_RECORDINGS_DIR: z.string().default('/var/spool/asterisk/recording'),
  /** Context where agents (extensions) are rung: Local/{innerNum}@{context}. */
  DIALER_INTERNAL_CONTEXT: z.string().min(1).default('internal'),
  DIALER_CALLER_ID: z.string().default(''),
  /**
   * Media formats the dialer's channels are created with (ARI originate `formats`). Without it Asterisk gives a
   * Local channel the best-quality format it has (slin192) and resamples every 8 kHz prompt up to it: measured
   * about 4x the CPU per survey call on Asterisk 22 (scripts/bench/asterisk-load.ts). Empty = Asterisk decides.
   */
  DIALER_ORIGINATE_FORMATS: z.string().regex(/^[a-z0-9_]*(,[a-z0-9_]+)*$/, 'comma-separated format names such as slin,ulaw,alaw').default('slin,ulaw,alaw'),
  DIALER_RING_TIMEOUT_SECONDS: int(1, 600).default(45),
  DIALER_AGENT_RING_TIMEOUT_SECONDS: int(1, 600).default(60),
  /** Numbers treated as queues for agent availability, e.g. "9000,9001"; others are extensions. */
  DIALER_QUEUES: list.default([]),
  /** Cap on originates per second across all tasks; 0 = no limit. */
  DIALER_MAX_ORIGINATE_RATE: num(0, 100000).default(0),
  DIALER_SHUTDOWN_DEADLINE_SECONDS: num(0, 3600).default(30),
  // --- Dialer engine (stasis/dialer) ----------------------------------------------------------
  /** Device whose state says whether an extension agent is free; {exten} = the task's innerNum. */
  DIALER_AGENT_DEVICE: z.string().includes('{exten}').default('PJSIP/{exten}'),
  /** Never-dialed channel on which dialplan functions (DEVICE_STATE, QUEUE_MEMBER) are evaluated. */
  DIALER_UTILITY_ENDPOINT: z.string().min(1).default('Local/echo@dialer-misc'),
  /** Coarse safety re-evaluation of tasks and agents (seconds, not scaled); events do the real work. */
  DIALER_SAFETY_TICK_SECONDS: num(0.05, 3600).default(5),
  /** Speeds up the dialer's own timers (question timeouts, retry intervals) for tests and demos. */
  DIALER_TIME_SCALE: num(0.0001, 1000).default(1),

  // --- Media and TTS --------------------------------------------------------------------------
  FFMPEG_PATH: optionalString,
  YANDEX_API_KEY: optionalString,
  YANDEX_TTS_URL: z.string().url().default('https://tts.api.cloud.yandex.net/speech/v1/tts:synthesize'),
  YANDEX_TTS_TIMEOUT_MS: int(100, 120000).default(10000),
  /** Text-to-speech engine: Yandex SpeechKit, or a local RHVoice server (rhvoice-rest). A setting may override it. */
  TTS_ENGINE: z.enum(['yandex', 'rhvoice']).default('yandex'),
  /** RHVoice HTTP server (`GET <url>?text&voice&format=wav&rate`), as ModuleRHVoice runs it. */
  RHVOICE_URL: z.string().url().regex(/^https?:\/\//, 'an http:// or https:// URL').default('http://127.0.0.1:8081/say'),
  RHVOICE_VOICE: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a voice name: letters, digits, _ . - only').default('vitaliy-ng'),
  RHVOICE_RATE: int(0, 100).default(40),
  /** Yandex Cloud folder id: speech recognition (STT) needs it besides YANDEX_API_KEY. */
  YANDEX_FOLDER_ID: optionalString,
  YANDEX_STT_URL: z.string().url().default('https://stt.api.cloud.yandex.net/speech/v1/stt:recognize'),

  // --- Callback mode and the CRM of send_crm (defaults of the settings API) -------------------
  /** Played to the operator before a callback customer is dialed; empty = no alert. */
  DIALER_CALLBACK_ALERT_TEXT: z.string().max(1000).default(''),
  CRM_URL: optionalString.pipe(z.string().url().regex(/^https?:\/\//, 'an http:// or https:// URL').optional()),
  CRM_LOGIN: z.string().max(200).refine((v) => !v.includes(':'), 'must not contain ":" (Basic auth)').default(''),
  CRM_PASSWORD: z.string().max(200).default(''),
  /** What send_crm speaks; `<result>` is replaced by the CRM's `data`. */
  CRM_RESPONSE_TEMPLATE: z.string().max(1000).default(''),

  // --- Webhooks (defaults of the settings webhookUrl / webhookSecret) ---------------------------
  /** Global webhook: every task's call results and state changes are POSTed here; unset = none. */
  WEBHOOK_URL: optionalString.pipe(z.string().url().regex(/^https?:\/\//, 'an http:// or https:// URL').optional()),
  /** HMAC-SHA256 key signing every webhook (global and per task); unset = unsigned. */
  WEBHOOK_SECRET: z.string().max(500).default(''),

  // --- Built-in simulator (used when ARI_URL is not set) --------------------------------------
  /** Unset = any free port: on the PBX host Asterisk's own ARI/HTTP server already has 8088. */
  SIM_PORT: z.preprocess((v) => (v === '' ? undefined : v), int(0, 65535).optional()),
  SIM_TIME_SCALE: num(0.0001, 1000).default(1),
  SIM_SEED: int(0, 2 ** 31).default(1),
});

export type Config = ReturnType<typeof toConfig>;

function toConfig(e: z.infer<typeof EnvSchema>) {
  return Object.freeze({
    http: {
      host: e.DIALER_HTTP_HOST,
      port: e.DIALER_HTTP_PORT,
      maxBodyBytes: e.DIALER_MAX_BODY_BYTES,
      maxUploadBytes: e.DIALER_MAX_UPLOAD_BYTES,
    },
    auth: {
      adminLogin: e.DIALER_ADMIN_LOGIN,
      adminPassword: e.DIALER_ADMIN_PASSWORD,
      apiTokens: e.DIALER_API_TOKENS,
      trustedProxies: e.DIALER_TRUSTED_PROXIES,
      sessionTtlSeconds: e.DIALER_SESSION_TTL_SECONDS,
    },
    dataDir: e.DIALER_DATA_DIR,
    databaseUrl: e.DATABASE_URL ?? join(e.DIALER_DATA_DIR, 'autodialer.sqlite'),
    databasePoolSize: e.DATABASE_POOL_SIZE,
    node: {
      id: e.DIALER_NODE_ID,
      leaseSeconds: e.DIALER_NODE_LEASE_SECONDS,
      targets: e.DIALER_NODE_TARGETS,
    },
    logLevel: e.DIALER_LOG_LEVEL,
    timezone: e.DIALER_TIMEZONE,
    ari: { url: e.ARI_URL, username: e.ARI_USERNAME, password: e.ARI_PASSWORD, app: e.ARI_APP },
    dialing: {
      originateEndpoint: e.DIALER_ORIGINATE_ENDPOINT,
      defaultDialPrefix: e.DIALER_DEFAULT_DIAL_PREFIX,
      internalContext: e.DIALER_INTERNAL_CONTEXT,
      callerId: e.DIALER_CALLER_ID,
      originateFormats: e.DIALER_ORIGINATE_FORMATS,
      ringTimeoutSeconds: e.DIALER_RING_TIMEOUT_SECONDS,
      agentRingTimeoutSeconds: e.DIALER_AGENT_RING_TIMEOUT_SECONDS,
      queues: e.DIALER_QUEUES,
      maxOriginateRate: e.DIALER_MAX_ORIGINATE_RATE,
      shutdownDeadlineSeconds: e.DIALER_SHUTDOWN_DEADLINE_SECONDS,
      timeScale: e.DIALER_TIME_SCALE,
      // dialer engine
      agentDevice: e.DIALER_AGENT_DEVICE,
      utilityEndpoint: e.DIALER_UTILITY_ENDPOINT,
      safetyTickSeconds: e.DIALER_SAFETY_TICK_SECONDS,
      callbackAlertText: e.DIALER_CALLBACK_ALERT_TEXT,
      recordingsDir: e.DIALER_RECORDINGS_DIR,
    },
    media: { ffmpegPath: e.FFMPEG_PATH },
    tts: {
      yandexApiKey: e.YANDEX_API_KEY,
      yandexUrl: e.YANDEX_TTS_URL,
      timeoutMs: e.YANDEX_TTS_TIMEOUT_MS,
      engine: e.TTS_ENGINE,
      rhvoiceUrl: e.RHVOICE_URL,
      rhvoiceVoice: e.RHVOICE_VOICE,
      rhvoiceRate: e.RHVOICE_RATE,
    },
    stt: { yandexFolderId: e.YANDEX_FOLDER_ID, yandexUrl: e.YANDEX_STT_URL },
    crm: { url: e.CRM_URL, login: e.CRM_LOGIN, password: e.CRM_PASSWORD, responseTemplate: e.CRM_RESPONSE_TEMPLATE },
    webhook: { url: e.WEBHOOK_URL, secret: e.WEBHOOK_SECRET },
    sim: { port: e.SIM_PORT, timeScale: e.SIM_TIME_SCALE, seed: e.SIM_SEED },
  });
}

export class ConfigError extends Error {}

/** Parse the environment; throws ConfigError naming every variable that is wrong. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return toConfig(parsed.data);
}

/** For tests: a full config from defaults plus overrides given as environment variables. */
export const testConfig = (env: Record<string, string | undefined> = {}) => loadConfig(env);

/** Every environment variable the service reads (the README documents each one). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);
