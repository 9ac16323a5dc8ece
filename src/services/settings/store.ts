import type { Config } from '../../config.js';
import type { Queries } from '../../db/port.js';
import type { Logger } from '../../logger.js';
import type { SettingsReader } from '../../ports.js';
import { fail, ok, type Outcome } from '../context.js';
import { envDefaults, parseChange, readStored, registerEnvWebhookUrl, SETTING_KEYS, type SettingKey, type Settings } from './schema.js';

/** What GET /settings answers: every setting, secrets blanked with a flag saying whether they are set. */
export type SettingsView = Settings & { yandexApiKeySet: boolean; crmPasswordSet: boolean; webhookSecretSet: boolean; overridden: SettingKey[] };

export interface SettingsStore extends SettingsReader {
  /** The effective settings (database over environment). Cached for `ttlMs`; never throws. */
  current(): Promise<Settings>;
  /** For the API: the settings with secrets hidden. Reads the database (throws on a database error). */
  view(): Promise<SettingsView>;
  /** Validate and store a partial change in one transaction; on any error nothing is stored. */
  patch(body: Record<string, unknown>): Promise<Outcome<SettingsView>>;
}

export interface SettingsOptions {
  /** How long current() reuses what it read: other nodes sharing a PostgreSQL database are seen after it. */
  ttlMs?: number;
  /** Float unix seconds (changeTime). */
  now?: () => number;
}

const SQL = {
  all: 'SELECT key, value FROM settings',
  upsert: 'INSERT INTO settings (key, value, changeTime) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, changeTime = excluded.changeTime',
  remove: 'DELETE FROM settings WHERE key = ?',
};

/**
 * The settings store and its reader in one object, so a change made through this process's API is seen by its
 * calls at once (the cache is dropped on write), while changes from other nodes arrive within `ttlMs`.
 */
export function createSettingsReader(db: Queries, config: Config, log: Logger, opts: SettingsOptions = {}): SettingsStore {
  const ttlMs = opts.ttlMs ?? 1000;
  const now = opts.now ?? (() => Date.now() / 1000);
  const defaults = envDefaults(config);
  registerEnvWebhookUrl(db, defaults.webhookUrl);
  let cached: { at: number; settings: Settings } | undefined;
  let lastGood: Settings = defaults;
  let inFlight: { gen: number; promise: Promise<Settings> } | undefined;
  let generation = 0;
  const warned = new Set<string>();

  async function load(): Promise<{ settings: Settings; overridden: SettingKey[] }> {
    const rows = await db.all<{ key: string; value: string }>(SQL.all);
    const settings: Settings = { ...defaults };
    const overridden: SettingKey[] = [];
    for (const row of rows) {
      const key = row.key as SettingKey;
      if (!SETTING_KEYS.includes(key)) continue; // a key of a newer version: not ours to read
      const value = readStored(key, row.value);
      if (value === undefined) {
        if (!warned.has(key)) log.warn({ key }, 'stored setting is not valid; the environment value is used');
        warned.add(key);
        continue;
      }
      (settings as unknown as Record<string, unknown>)[key] = value;
      overridden.push(key);
    }
    return { settings, overridden };
  }

  async function current(): Promise<Settings> {
    if (cached && Date.now() - cached.at < ttlMs) return cached.settings;
    // A read started before a write may answer what was there before it: such a read is not shared.
    if (inFlight?.gen === generation) return inFlight.promise;
    const gen = generation;
    const promise = load().then(
      ({ settings }) => {
        // A write that happened while reading makes this read stale: it is answered but not kept.
        if (gen === generation) {
          cached = { at: Date.now(), settings };
          lastGood = settings;
        }
        return settings;
      },
      (err: unknown) => {
        log.warn({ err }, 'settings could not be read; the last known values are used');
        return lastGood;
      },
    );
    inFlight = { gen, promise };
    try {
      return await promise;
    } finally {
      if (inFlight?.promise === promise) inFlight = undefined;
    }
  }

  function toView(settings: Settings, overridden: SettingKey[]): SettingsView {
    return {
      ...settings,
      yandexApiKey: '',
      crmPassword: '',
      webhookSecret: '',
      yandexApiKeySet: settings.yandexApiKey !== '',
      crmPasswordSet: settings.crmPassword !== '',
      webhookSecretSet: settings.webhookSecret !== '',
      overridden,
    };
  }

  async function view(): Promise<SettingsView> {
    const { settings, overridden } = await load();
    return toView(settings, overridden);
  }

  async function patch(body: Record<string, unknown>): Promise<Outcome<SettingsView>> {
    const parsed = parseChange(body);
    if (!parsed.ok) return fail(parsed.messages);
    const t = now();
    await db.tx(async (q) => {
      for (const [key, value] of Object.entries(parsed.change)) {
        if (value === null) await q.run(SQL.remove, [key]);
        else await q.run(SQL.upsert, [key, value, t]);
      }
    });
    generation += 1;
    cached = undefined;
    const changed = Object.keys(parsed.change);
    // Secrets are named, never logged.
    log.info({ changed, reset: changed.filter((k) => parsed.change[k as SettingKey] === null) }, 'settings changed');
    return ok(await view());
  }

  return { current, view, patch };
}
