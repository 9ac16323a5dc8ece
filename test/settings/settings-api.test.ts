import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { createSettingsReader, type SettingsStore } from '../../src/services/settings/index.js';
import { fakeConverter, fakeDialer, fakePrompts, LOCAL, readResponse, REMOTE } from '../api/helpers.js';
import { freshEnv } from '../helpers/env.js';

const BASE = '/pbxcore/api/module-dialer/v1';
const ENV = {
  YANDEX_API_KEY: 'env-secret-key',
  DIALER_DEFAULT_DIAL_PREFIX: '9',
  CRM_URL: 'http://crm.example/hook',
  CRM_LOGIN: 'dialer',
  CRM_PASSWORD: 'env-crm-password',
  RHVOICE_RATE: '55',
  DIALER_API_TOKENS: 'tok',
};

let env: Awaited<ReturnType<typeof freshEnv>>;
let store: SettingsStore;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  env = await freshEnv(ENV);
  // A long cache: what a PATCH through this process changes must still be seen at once.
  store = createSettingsReader(env.db, env.config, env.log, { ttlMs: 60_000 });
  app = createApp({ config: env.config, db: env.db, log: env.log, dialer: fakeDialer(), audio: fakeConverter(), prompts: fakePrompts(), settings: store });
});
afterAll(() => env.cleanup());

const call = async (method: string, path: string, body?: unknown, from = LOCAL, headers: Record<string, string> = {}) =>
  readResponse(await app.request(BASE + path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) }, from));

describe('GET /settings', () => {
  it('answers every setting from the environment, secrets hidden', async () => {
    const r = await call('GET', '/settings');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ result: true, messages: [], function: '', processor: '' });
    expect(r.json.data).toEqual({
      defaultDialPrefix: '9',
      ttsEngine: 'yandex',
      yandexApiKey: '',
      yandexApiKeySet: true,
      yandexFolderId: '',
      rhvoiceUrl: 'http://127.0.0.1:8081/say',
      rhvoiceVoice: 'vitaliy-ng',
      rhvoiceRate: 55,
      callbackAlertText: '',
      crmUrl: 'http://crm.example/hook',
      crmLogin: 'dialer',
      crmPassword: '',
      crmPasswordSet: true,
      crmResponseTemplate: '',
      webhookUrl: '',
      webhookSecret: '',
      webhookSecretSet: false,
      overridden: [],
    });
    expect(r.text).not.toContain('env-secret-key');
    expect(r.text).not.toContain('env-crm-password');
  });

  it('needs authentication like every v1 route', async () => {
    expect((await call('GET', '/settings', undefined, REMOTE)).status).toBe(401);
    expect((await call('PATCH', '/settings', { crmLogin: 'x' }, REMOTE)).status).toBe(401);
    expect((await call('GET', '/settings', undefined, REMOTE, { authorization: 'Bearer tok' })).status).toBe(200);
  });
});

describe('PATCH /settings', () => {
  it('changes the given keys, keeps the others, and never echoes a secret', async () => {
    const r = await call('PATCH', '/settings', { ttsEngine: 'rhvoice', rhvoiceRate: '70', crmPassword: ' new pass ', rhvoiceVoice: ' anna ', callbackAlertText: ' Клиент ждёт, нажмите 1 ' });
    expect(r.json.result).toBe(true);
    expect(r.json.data).toMatchObject({ ttsEngine: 'rhvoice', rhvoiceRate: 70, crmPassword: '', crmPasswordSet: true, defaultDialPrefix: '9', callbackAlertText: ' Клиент ждёт, нажмите 1 ' });
    expect(r.json.data.overridden.sort()).toEqual(['callbackAlertText', 'crmPassword', 'rhvoiceRate', 'rhvoiceVoice', 'ttsEngine']);
    expect(r.text).not.toContain('new pass');
    // The calls of this process see it at once, although the reader caches for a minute.
    // A password is kept exactly as sent; a voice name is trimmed.
    expect(await store.current()).toMatchObject({ ttsEngine: 'rhvoice', rhvoiceRate: 70, crmPassword: ' new pass ', rhvoiceVoice: 'anna' });
  });

  it('refuses a bad value naming the field, and stores nothing of that request', async () => {
    const before = await call('GET', '/settings');
    const r = await call('PATCH', '/settings', { crmLogin: 'good-login', ttsEngine: 'festival', rhvoiceRate: 101, crmUrl: 'ftp://x', defaultDialPrefix: '9a' });
    expect(r.json.result).toBe(false);
    expect(r.json.messages).toEqual([
      'Field "ttsEngine" must be "yandex" or "rhvoice"',
      'Field "rhvoiceRate" must be an integer from 0 to 100',
      'Field "crmUrl" must be an http:// or https:// URL',
      'Field "defaultDialPrefix" may contain only digits, *, # and + (at most 20)',
    ]);
    expect((await call('GET', '/settings')).json.data).toEqual(before.json.data);
    expect((await store.current()).crmLogin).toBe('dialer');
  });

  it('refuses unknown keys and the read-only answer fields', async () => {
    const r = await call('PATCH', '/settings', { yandexKey: 'x', crmPasswordSet: false });
    expect(r.json.result).toBe(false);
    expect(r.json.messages[0]).toMatch(/^Field "yandexKey" is not a setting \(known: defaultDialPrefix, /);
    expect(r.json.messages[1]).toBe('Field "crmPasswordSet" is read-only: it tells whether crmPassword is set; send crmPassword to change it');
  });

  it('refuses what is not a JSON object', async () => {
    expect((await call('PATCH', '/settings', '[1]')).json.messages).toEqual(['Request body must be a JSON object of settings']);
    expect((await call('PATCH', '/settings', '{"a":')).json.messages).toEqual(['Invalid JSON request body']);
    expect((await call('PATCH', '/settings', { rhvoiceVoice: 5 })).json.messages).toEqual(['Field "rhvoiceVoice" must be a string']);
  });

  it('null or "" sets a key back to the environment value; PUT does the same as PATCH', async () => {
    await call('PATCH', '/settings', { defaultDialPrefix: '8', yandexApiKey: 'db-key' });
    expect(await store.current()).toMatchObject({ defaultDialPrefix: '8', yandexApiKey: 'db-key' });
    const r = await call('PUT', '/settings', { defaultDialPrefix: null, yandexApiKey: '', crmPassword: null });
    expect(r.json.result).toBe(true);
    expect(r.json.data).toMatchObject({ defaultDialPrefix: '9', yandexApiKey: '', yandexApiKeySet: true, crmPasswordSet: true });
    expect(r.json.data.overridden).not.toContain('defaultDialPrefix');
    expect(await store.current()).toMatchObject({ defaultDialPrefix: '9', yandexApiKey: 'env-secret-key', crmPassword: 'env-crm-password' });
  });

  it('a secret reset while the environment has none shows as not set', async () => {
    await call('PATCH', '/settings', { yandexFolderId: 'b1gabc' });
    const { testConfig } = await import('../../src/config.js');
    const noSecrets = createSettingsReader(env.db, testConfig(), env.log);
    expect(await noSecrets.view()).toMatchObject({ yandexFolderId: 'b1gabc', yandexApiKeySet: false, crmPasswordSet: false });
  });

  it('another node sharing the database sees a change once its short cache expires', async () => {
    const otherNode = createSettingsReader(env.db, env.config, env.log, { ttlMs: 100 });
    expect((await otherNode.current()).crmLogin).toBe('dialer');
    await call('PATCH', '/settings', { crmLogin: 'second' });
    await new Promise((r) => setTimeout(r, 150));
    expect((await otherNode.current()).crmLogin).toBe('second');
  });

  it('is described in /openapi.json', async () => {
    const r = await readResponse(await app.request('/openapi.json', {}, LOCAL));
    const path = r.json.paths[`${BASE}/settings`];
    expect(Object.keys(path).sort()).toEqual(['get', 'patch', 'put']);
    expect(Object.keys(path.patch.requestBody.content['application/json'].schema.properties)).toContain('crmResponseTemplate');
    expect(r.json.paths[`${BASE}/crm-test`].post).toBeDefined();
    expect(r.json.paths[`${BASE}/crm-check`].post).toBeDefined();
  });
});
