import type { Hono } from 'hono';
import { z } from 'zod';
import { fillResponseTemplate, urlWithoutCredentials, type CrmClientWithTarget } from '../../crm/index.js';
import { fail, ok } from '../../services/context.js';
import { VALUE_SCHEMAS, type SettingsStore } from '../../services/settings/index.js';
import type { CrmRequest } from '../../ports.js';
import { INVALID_JSON, validate } from '../body.js';
import type { RouteDoc } from '../deps.js';
import { sendEnvelope, sendOutcome } from '../envelope.js';

/** POST /crm-check: what to try instead of the saved settings; every field optional. */
export const CrmCheckBody = z
  .object({
    crmUrl: VALUE_SCHEMAS.crmUrl.optional(),
    crmLogin: z.union([VALUE_SCHEMAS.crmLogin, z.literal('')]).optional(),
    crmPassword: z.union([VALUE_SCHEMAS.crmPassword, z.literal('')]).optional(),
    crmResponseTemplate: VALUE_SCHEMAS.crmResponseTemplate.optional(),
    phone: z.string().regex(/^\+?[0-9]{1,20}$/, { error: 'must be a phone number (digits)' }).optional(),
  })
  .strict();

export const crmTestDocs: RouteDoc[] = [
  {
    method: 'post',
    path: '/crm-test',
    summary:
      'A stand-in CRM, as ModuleAutoDialer v1.35 has it: answers data = the current unix time as text, whatever is posted. ' +
      'Set crmUrl to this URL to try send_crm without a CRM',
  },
  {
    method: 'post',
    path: '/crm-check',
    summary:
      'Ours: POST a sample send_crm request {phone, linkedId, pollingId, results} to the configured CRM (or to crmUrl / crmLogin / ' +
      'crmPassword / crmResponseTemplate given in the body, to try them before saving) and answer {url, status, data, spoken, ms}: ' +
      'spoken = the response template with <result> replaced by data. A failure is result:false naming what failed',
    body: CrmCheckBody,
  },
];

export function crmTestRoutes(app: Hono, deps: { settings: SettingsStore; crm: CrmClientWithTarget; now: () => number }): void {
  // v1.35: `['result' => true, 'data' => (string)time()]`; the body is not read.
  app.post('/crm-test', (c) => sendEnvelope(c, true, String(Math.floor(deps.now()))));

  app.post('/crm-check', async (c) => {
    const raw = await readOptionalJson(c.req.raw);
    if (!raw.ok) return sendOutcome(c, fail(INVALID_JSON));
    const value = raw.value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return sendOutcome(c, fail('Request body must be a JSON object'));
    const body = validate(CrmCheckBody, value);
    if (!body.ok) return sendOutcome(c, fail(body.messages));
    const saved = await deps.settings.current();
    const target = {
      crmUrl: body.value.crmUrl ?? saved.crmUrl,
      crmLogin: body.value.crmLogin ?? saved.crmLogin,
      crmPassword: body.value.crmPassword ?? saved.crmPassword,
    };
    if (!target.crmUrl) return sendOutcome(c, fail('The CRM is not configured: set crmUrl (PATCH /settings) or send it in the body'));
    const template = body.value.crmResponseTemplate ?? saved.crmResponseTemplate;
    const sample: CrmRequest = {
      phone: body.value.phone ?? '79000000000',
      linkedId: `crm-check-${Math.floor(deps.now())}`,
      pollingId: 0,
      results: [{ questionId: '1', result: '1', exten: '1', recognizedText: null, recognizeLabel: null }],
    };
    const started = Date.now();
    const r = await deps.crm.sendTo(target, sample);
    const url = urlWithoutCredentials(target.crmUrl, target.crmUrl);
    if (!r.ok) return sendOutcome(c, fail(`CRM check failed: ${r.message}`, { url, ms: Date.now() - started }));
    return sendOutcome(c, ok({ url, status: r.status, data: r.data, spoken: fillResponseTemplate(template, r.data), ms: Date.now() - started }));
  });
}



/** JSON body, where an empty body (curl -X POST without -d) means "no overrides". A UTF-8 BOM is stripped. */
async function readOptionalJson(req: Request): Promise<{ ok: true; value: unknown } | { ok: false }> {
  let text = await req.text();
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
