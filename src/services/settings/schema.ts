import { z } from 'zod';
import type { Config } from '../../config.js';
import type { CallSettings } from '../../ports.js';

/**
 * The settings ModuleAutoDialer v1.35 keeps in its module form, as one object. Each is stored as one row of
 * `settings` (key, value text); a key without a row takes the environment's value (config), so an operator
 * can set everything in /etc/autodialer.env and change it later through the API without a restart.
 */
export interface Settings extends CallSettings {
  ttsEngine: 'yandex' | 'rhvoice';
  yandexApiKey: string;
  /** Yandex Cloud folder id, needed by speech recognition (STT). */
  yandexFolderId: string;
  rhvoiceUrl: string;
  rhvoiceVoice: string;
  rhvoiceRate: number;
  crmLogin: string;
  crmPassword: string;
  /** Global webhook ('' = none): every task's call.result and task.state events are POSTed here. */
  webhookUrl: string;
  /** Signs every webhook, global and per task (HMAC-SHA256); '' = unsigned. */
  webhookSecret: string;
}

export type SettingKey = keyof Settings;

/** Never answered by the API: GET says only whether they are set (`<key>Set`). */
export const SECRET_KEYS = ['yandexApiKey', 'crmPassword', 'webhookSecret'] as const satisfies readonly SettingKey[];

const httpUrl = z
  .string()
  .max(2000, { error: 'must be at most 2000 characters' })
  .refine((v) => {
    try {
      const u = new URL(v);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, { error: 'must be an http:// or https:// URL' });

/** PostgreSQL text cannot hold NUL, so both databases refuse it. */
const hasNoNul = (v: string) => !v.includes('\u0000');
const NO_NUL = { error: 'must not contain the NUL character' };

const text = (max: number) =>
  z.string({ error: 'must be a string' }).max(max, { error: `must be at most ${max} characters` }).refine(hasNoNul, NO_NUL);

/** A value as the API accepts it for each key (after `null` / `""` were taken out as "back to the default"). */
export const VALUE_SCHEMAS = {
  defaultDialPrefix: z.string({ error: 'must be a string' }).regex(/^[0-9*#+]{0,20}$/, { error: 'may contain only digits, *, # and + (at most 20)' }),
  ttsEngine: z.enum(['yandex', 'rhvoice'], { error: 'must be "yandex" or "rhvoice"' }),
  yandexApiKey: text(500).refine((v) => !/\s/.test(v), { error: 'must not contain spaces' }),
  yandexFolderId: z.string({ error: 'must be a string' }).regex(/^[A-Za-z0-9_-]{1,100}$/, { error: 'must be a Yandex Cloud folder id (letters, digits, _ and -)' }),
  rhvoiceUrl: httpUrl,
  rhvoiceVoice: z.string({ error: 'must be a string' }).regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'must be a voice name (letters, digits, _ . -, at most 64)' }),
  rhvoiceRate: z.preprocess(
    (v) => (typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v),
    z.number({ error: 'must be an integer from 0 to 100' }).int({ error: 'must be an integer from 0 to 100' }).min(0, { error: 'must be an integer from 0 to 100' }).max(100, { error: 'must be an integer from 0 to 100' }),
  ),
  callbackAlertText: text(1000),
  crmUrl: httpUrl,
  crmLogin: text(200).refine((v) => !v.includes(':'), { error: 'must not contain ":" (it separates login and password in Basic auth)' }),
  crmPassword: text(200),
  crmResponseTemplate: text(1000),
  webhookUrl: httpUrl,
  webhookSecret: text(500).refine((v) => !/\s/.test(v), { error: 'must not contain spaces' }),
} satisfies Record<SettingKey, z.ZodType>;

export const SETTING_KEYS = Object.keys(VALUE_SCHEMAS) as SettingKey[];

/** The environment's values: what a key without a row (or reset with null / "") means. */
export function envDefaults(config: Config): Settings {
  return {
    defaultDialPrefix: config.dialing.defaultDialPrefix,
    callbackAlertText: config.dialing.callbackAlertText,
    ttsEngine: config.tts.engine,
    yandexApiKey: config.tts.yandexApiKey ?? '',
    yandexFolderId: config.stt.yandexFolderId ?? '',
    rhvoiceUrl: config.tts.rhvoiceUrl,
    rhvoiceVoice: config.tts.rhvoiceVoice,
    rhvoiceRate: config.tts.rhvoiceRate,
    crmUrl: config.crm.url ?? '',
    crmLogin: config.crm.login,
    crmPassword: config.crm.password,
    crmResponseTemplate: config.crm.responseTemplate,
    webhookUrl: config.webhook.url ?? '',
    webhookSecret: config.webhook.secret,
  };
}

/** Texts stored exactly as sent (spaces may matter); other values are trimmed. */
const KEPT_AS_SENT = new Set<SettingKey>(['callbackAlertText', 'crmResponseTemplate', 'crmPassword']);

/**
 * The environment's global webhook URL per database handle: the outbox rows are written inside the transactions of
 * the result and state changes (src/webhooks/outbox.ts), which read the stored `webhookUrl` row there and need the
 * environment's value for a key without a row. Registered by createSettingsReader, which every service builds.
 */
const envWebhookUrls = new WeakMap<object, string>();
export const registerEnvWebhookUrl = (db: object, url: string) => void envWebhookUrls.set(db, url);
export const envWebhookUrlOf = (db: object): string => envWebhookUrls.get(db) ?? '';
/** A stored webhookUrl row as the settings reader takes it (undefined: not valid, the environment's value applies). */
export const readStoredWebhookUrl = (value: string): string | undefined => (VALUE_SCHEMAS.webhookUrl.safeParse(value).success ? value : undefined);

/** A PATCH body, validated: a value to store, or null = delete the row (back to the environment). */
export type SettingsChange = Partial<Record<SettingKey, string | null>>;

/**
 * Validate a PATCH body as a whole: every message names its field, and nothing is stored unless every field is
 * right. Read-only answer fields (`yandexApiKeySet`…) and unknown keys are refused rather than ignored, so a
 * client that misspells a key or echoes a GET back learns it at once.
 */
export function parseChange(body: Record<string, unknown>): { ok: true; change: SettingsChange } | { ok: false; messages: string[] } {
  const messages: string[] = [];
  const change: SettingsChange = {};
  for (const [key, raw] of Object.entries(body)) {
    if (!(key in VALUE_SCHEMAS)) {
      const secret = SECRET_KEYS.find((k) => `${k}Set` === key);
      messages.push(
        secret
          ? `Field "${key}" is read-only: it tells whether ${secret} is set; send ${secret} to change it`
          : key === 'overridden'
            ? 'Field "overridden" is read-only: it lists the settings stored in the database'
            : `Field "${key}" is not a setting (known: ${SETTING_KEYS.join(', ')})`,
      );
      continue;
    }
    const k = key as SettingKey;
    if (raw === null || raw === '') {
      change[k] = null;
      continue;
    }
    const r = VALUE_SCHEMAS[k].safeParse(typeof raw === 'string' && !KEPT_AS_SENT.has(k) ? raw.trim() : raw);
    if (!r.success) {
      messages.push(`Field "${key}" ${r.error.issues[0]?.message ?? 'is invalid'}`);
      continue;
    }
    change[k] = String(r.data);
  }
  return messages.length ? { ok: false, messages } : { ok: true, change };
}

/**
 * A stored value read back. A row this version cannot read (written by hand, or by another version) is ignored in
 * favour of the environment's value: the caller logs it.
 */
export function readStored<K extends SettingKey>(key: K, value: string): Settings[K] | undefined {
  const r = VALUE_SCHEMAS[key].safeParse(value);
  return r.success ? (r.data as Settings[K]) : undefined;
}
