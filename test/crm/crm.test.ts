import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { createCrmClient, dataOf, fillResponseTemplate, type CrmTarget } from '../../src/crm/index.js';
import type { CrmRequest } from '../../src/ports.js';
import { createSettingsReader, type SettingsStore } from '../../src/services/settings/index.js';
import { fakeConverter, fakeDialer, fakePrompts, LOCAL, readResponse } from '../api/helpers.js';
import { startFakeCrm, type FakeCrm } from '../fakes/crm.js';
import { freshEnv } from '../helpers/env.js';

const log = pino({ level: 'silent' });
const BASE = '/pbxcore/api/module-dialer/v1';
const REQ: CrmRequest = {
  phone: '79001234567',
  linkedId: '1724235073.42',
  pollingId: 7,
  results: [{ questionId: '1', result: '2', exten: '/var/spool/rec.wav', recognizedText: 'два', recognizeLabel: 'Ответ' }],
};

let crm: FakeCrm;
beforeAll(async () => {
  crm = await startFakeCrm();
});
afterAll(() => crm.close());
beforeEach(() => {
  crm.requests.length = 0;
  crm.status = 200;
  crm.body = { result: true, data: 'ok' };
  crm.delayMs = 0;
});

const clientFor = (t: Partial<CrmTarget>, timeoutMs?: number) => {
  const target: CrmTarget = { crmUrl: crm.url, crmLogin: '', crmPassword: '', ...t };
  return { target, client: createCrmClient({ settings: { current: async () => target }, log, timeoutMs }) };
};

describe('CRM client (send_crm)', () => {
  it('POSTs the answers as JSON with Basic auth and answers the data', async () => {
    const { client } = clientFor({ crmLogin: 'dialer', crmPassword: 'p@ss:word' });
    crm.body = { result: true, data: 'Ваш баланс 100 рублей' };
    expect(await client.send(REQ)).toEqual({ ok: true, status: 200, data: 'Ваш баланс 100 рублей' });
    const got = crm.requests[0]!;
    expect(got).toMatchObject({ method: 'POST', path: '/crm/hook', json: REQ });
    expect(got.contentType).toMatch(/^application\/json/);
    expect(got.authorization).toBe(`Basic ${Buffer.from('dialer:p@ss:word').toString('base64')}`);
  });

  it('sends no Authorization without a login', async () => {
    const { client } = clientFor({});
    await client.send(REQ);
    expect(crm.requests[0]!.authorization).toBeUndefined();
  });

  it('takes .data as text, objects as JSON, and a body that is not JSON as it is', async () => {
    expect(dataOf('{"data":{"sum":5}}')).toBe('{"sum":5}');
    expect(dataOf('{"data":42}')).toBe('42');
    expect(dataOf('{"data":null}')).toBe('');
    expect(dataOf('Привет')).toBe('Привет');
    expect(dataOf('{"other":1}')).toBe('{"other":1}');
    const { client } = clientFor({});
    crm.body = 'plain text answer';
    expect(await client.send(REQ)).toEqual({ ok: true, status: 200, data: 'plain text answer' });
  });

  it('a status other than 2xx is a failure naming the status', async () => {
    const { client } = clientFor({});
    crm.status = 503;
    crm.body = 'maintenance';
    expect(await client.send(REQ)).toEqual({ ok: false, message: 'the CRM answered HTTP 503: maintenance' });
    crm.status = 201;
    crm.body = { data: 'created' };
    expect(await client.send(REQ)).toEqual({ ok: true, status: 201, data: 'created' });
  });

  it('is bounded in time, stops when the call ends, and says when it is not configured or unreachable', async () => {
    crm.delayMs = 3000;
    const { client } = clientFor({}, 300);
    let started = Date.now();
    expect(await client.send(REQ)).toEqual({ ok: false, message: 'the CRM did not answer within 300 ms' });
    expect(Date.now() - started).toBeLessThan(1000);
    const hangup = new AbortController();
    setTimeout(() => hangup.abort(), 100);
    started = Date.now();
    expect(await clientFor({}).client.send(REQ, hangup.signal)).toEqual({ ok: false, message: 'the CRM request was cancelled (the call ended)' });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await clientFor({ crmUrl: '' }).client.send(REQ)).toEqual({ ok: false, message: 'the CRM is not configured (crmUrl)' });
    expect(await clientFor({ crmUrl: 'http://u:secret@127.0.0.1:1/x' }).client.send(REQ)).toEqual({
      ok: false,
      message: expect.stringMatching(/^the CRM at http:\/\/127\.0\.0\.1:1\/x is unreachable \(ECONNREFUSED\)$/),
    });
  });

  it('fills the response template', () => {
    expect(fillResponseTemplate('Ваш заказ <result>. Спасибо', 'готов')).toBe('Ваш заказ готов. Спасибо');
    expect(fillResponseTemplate('', 'как есть')).toBe('как есть');
  });
});

describe('POST /crm-test and POST /crm-check', () => {
  let env: Awaited<ReturnType<typeof freshEnv>>;
  let store: SettingsStore;
  let app: ReturnType<typeof createApp>;
  beforeAll(async () => {
    env = await freshEnv({ CRM_RESPONSE_TEMPLATE: 'Ответ CRM: <result>' });
    store = createSettingsReader(env.db, env.config, env.log);
    app = createApp({ config: env.config, db: env.db, log: env.log, dialer: fakeDialer(), audio: fakeConverter(), prompts: fakePrompts(), settings: store, now: () => 1724235073.5 });
  });
  afterAll(() => env.cleanup());
  const call = async (path: string, body?: unknown) =>
    readResponse(await app.request(BASE + path, { method: 'POST', body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) }, LOCAL));

  it('/crm-test is the stand-in CRM of v1.35: data = the unix time, whatever is posted', async () => {
    expect((await call('/crm-test')).json).toMatchObject({ result: true, data: '1724235073', messages: [] });
    expect((await call('/crm-test', REQ)).json.data).toBe('1724235073');
  });

  it('/crm-check without a configured CRM says so', async () => {
    const r = await call('/crm-check');
    expect(r.json).toMatchObject({ result: false, messages: ['The CRM is not configured: set crmUrl (PATCH /settings) or send it in the body'] });
  });

  it('/crm-check tries settings given in the body before they are saved, and fills the template', async () => {
    crm.body = { result: true, data: 'баланс 100' };
    const r = await call('/crm-check', { crmUrl: crm.url, crmLogin: 'tester', crmPassword: 'secret', phone: '79005556677' });
    expect(r.json.result).toBe(true);
    expect(r.json.data).toMatchObject({ url: crm.url, status: 200, data: 'баланс 100', spoken: 'Ответ CRM: баланс 100' });
    expect(r.text).not.toContain('secret');
    const sent = crm.requests[0]!;
    expect(sent.authorization).toBe(`Basic ${Buffer.from('tester:secret').toString('base64')}`);
    expect(sent.json).toEqual({ phone: '79005556677', linkedId: 'crm-check-1724235073', pollingId: 0, results: [{ questionId: '1', result: '1', exten: '1', recognizedText: null, recognizeLabel: null }] });
    expect((await store.current()).crmUrl).toBe(''); // nothing was saved
  });

  it('/crm-check uses the saved settings, and names what failed', async () => {
    await store.patch({ crmUrl: crm.url, crmLogin: 'saved', crmPassword: 'pw', crmResponseTemplate: 'Итог: <result>' });
    crm.body = { data: { sum: 5 } };
    const r = await call('/crm-check', '');
    expect(r.json.data).toMatchObject({ status: 200, data: '{"sum":5}', spoken: 'Итог: {"sum":5}' });
    expect(crm.requests[0]!.authorization).toBe(`Basic ${Buffer.from('saved:pw').toString('base64')}`);
    crm.status = 401;
    crm.body = 'bad credentials';
    const bad = await call('/crm-check', {});
    expect(bad.json).toMatchObject({ result: false, messages: ['CRM check failed: the CRM answered HTTP 401: bad credentials'], data: { url: crm.url } });
    const invalid = await call('/crm-check', { crmUrl: 'not a url', extra: 1 });
    expect(invalid.json.result).toBe(false);
    expect(invalid.json.messages).toEqual(expect.arrayContaining(['Field "crmUrl" must be an http:// or https:// URL']));
    expect((await call('/crm-check', '{oops')).json.messages).toEqual(['Invalid JSON request body']);
  });

  it('/crm-check end to end against our own /crm-test', async () => {
    const { createServer } = await import('@hono/node-server').then((m) => ({ createServer: m.serve }));
    const server = await new Promise<{ port: number; close: () => void }>((resolve) => {
      const s = createServer({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve({ port: info.port, close: () => s.close() }));
    });
    try {
      const r = await call('/crm-check', { crmUrl: `http://127.0.0.1:${server.port}${BASE}/crm-test`, crmLogin: '' });
      expect(r.json.data).toMatchObject({ status: 200, data: '1724235073', spoken: 'Итог: 1724235073' });
    } finally {
      server.close();
    }
  });
});
