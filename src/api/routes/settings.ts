import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { fail } from '../../services/context.js';
import { SETTING_KEYS, VALUE_SCHEMAS, type SettingsStore } from '../../services/settings/index.js';
import { readJson } from '../body.js';
import type { RouteDoc } from '../deps.js';
import { sendEnvelope, sendOutcome } from '../envelope.js';

/** For /openapi.json: every key optional; null or "" = back to the environment's value. */
export const SettingsPatchBody = z
  .object(Object.fromEntries(SETTING_KEYS.map((k) => [k, VALUE_SCHEMAS[k].nullable().optional()])))
  .strict();

const patchSummary =
  'Change some settings (ours; the original kept them in its module form): a partial object, each key validated, ' +
  'unknown keys refused, nothing stored unless every field is right; null or "" = back to the environment value. ' +
  'Answers the settings as GET does';

export const settingsDocs: RouteDoc[] = [
  {
    method: 'get',
    path: '/settings',
    summary:
      'Every setting (ours): defaultDialPrefix, ttsEngine, yandexFolderId, rhvoiceUrl, rhvoiceVoice, rhvoiceRate, callbackAlertText, ' +
      'crmUrl, crmLogin, crmResponseTemplate, webhookUrl, and the secrets yandexApiKey / crmPassword / webhookSecret always "" with ' +
      'yandexApiKeySet / crmPasswordSet / webhookSecretSet; ' +
      'overridden = the keys stored in the database (the others come from the environment)',
  },
  { method: 'patch', path: '/settings', summary: patchSummary, body: SettingsPatchBody },
  { method: 'put', path: '/settings', summary: `Same as PATCH. ${patchSummary}`, body: SettingsPatchBody },
];

export function settingsRoutes(app: Hono, store: SettingsStore): void {
  app.get('/settings', async (c) => sendEnvelope(c, true, await store.view()));

  const change = async (c: Context) => {
    const body = await readJson(c);
    if (!body.ok) return sendOutcome(c, fail(body.messages));
    if (body.value === null || typeof body.value !== 'object' || Array.isArray(body.value)) {
      return sendOutcome(c, fail('Request body must be a JSON object of settings'));
    }
    return sendOutcome(c, await store.patch(body.value as Record<string, unknown>));
  };
  app.patch('/settings', change);
  app.put('/settings', change);
}
