import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type HttpServer } from '../../src/api/server.js';
import { connect, headerMap, ONE_C_HEADERS, oneCJson, raw, type RawAnswer } from '../e2e/one-c-wire.js';
import { BASE, REMOTE, testApi } from './helpers.js';

/**
 * The module's 1C client (mikopbx/ModuleAutoDialer, 1c/CommonModules/МИКО_аиAPI, СоединениеСАТС), replayed
 * against a started server byte for byte: it logs in with a form body it does not URL-encode, framed by "&";
 * reads the cookie with ОтветСервера.Заголовки.Получить("Set-Cookie") from a case-sensitive map; stores the
 * raw value (attributes and all) in a 200-character string setting; sends it back verbatim as its Cookie
 * header; and before every call probes GET /test with it, logging in again on anything but 200.
 * Node's fetch lowercases header names, so the answers are read from node:http's rawHeaders.
 */

/** One API call as МИКО_аиAPI makes it: connect, then the request with the cookie and a BOM-prefixed JSON body. */
async function call(url: string, settings: { TOKEN?: string }, log: string[], method: string, path: string, body?: unknown) {
  const cookie = await connect(url, settings, 'admin', 's3cret', log);
  if (!cookie) return undefined;
  const answer = await raw(url, method, `${BASE}${path}`, [...ONE_C_HEADERS, ['Cookie', cookie]], body === undefined ? undefined : oneCJson(body));
  return { status: answer.status, json: JSON.parse(answer.body.replace(/^\uFEFF/, '')), answer };
}

const CANONICAL = /^[A-Z][a-z0-9]*(-[A-Z][a-z0-9]*)*$/;
const namesOf = (a: RawAnswer) => a.rawHeaders.filter((_, i) => i % 2 === 0);

describe('the 1C client, byte for byte', () => {
  let clock = Date.now();
  const t = testApi(
    { DIALER_ADMIN_PASSWORD: 's3cret', DIALER_SESSION_TTL_SECONDS: '60', DIALER_HTTP_HOST: '127.0.0.1', DIALER_HTTP_PORT: '0' },
    { nowMs: () => clock },
  );
  let server: HttpServer;
  let loopback: HttpServer;
  beforeAll(async () => {
    // 1C runs on another machine: the peer address is made non-loopback, so the cookie is what lets it in.
    const fromAfar = {
      fetch: (req: Request, env?: unknown) => {
        const { incoming, outgoing } = env as { incoming: object; outgoing: object };
        return t.app.fetch(req, { incoming: Object.create(incoming, { socket: { value: { remoteAddress: '203.0.113.7' } } }), outgoing });
      },
    };
    server = await startHttpServer(fromAfar, t.config, t.log);
    loopback = await startHttpServer(t.app, t.config, t.log);
  });
  afterAll(async () => {
    await server?.close();
    await loopback?.close();
  });

  it('a request from afar without the cookie is refused (the cookie is really checked)', async () => {
    const r = await raw(server.url, 'GET', `${BASE}/test`, [...ONE_C_HEADERS, ['Cookie', 'autodialer_session=forged; Path=/']]);
    expect(r.status).toBe(401);
  });

  it('logs in, finds "Set-Cookie" by its exact name, keeps it under 200 characters and uses it as Cookie', async () => {
    const settings: { TOKEN?: string } = {};
    const log: string[] = [];
    const created = await call(server.url, settings, log, 'POST', '/task', {
      crmId: '000000001',
      name: 'Обзвон из 1С',
      state: 0,
      innerNum: '201',
      innerNumType: 'exten',
      maxCountChannels: 2,
      numbers: [{ number: '79001234567', timeCallAllow: '', clientId: '' }],
      // a document created outside 1C's form: no retries set
      maxAttempt: 0,
      tryInterval: 0,
      // (time − 0001-01-01)/60 for 09:00:00 and 23:59:59
      timeStart: 540,
      timeEnd: 1439.9833333333333,
      attemptUntilSignal: 0,
    });
    expect(log).toEqual(['login 200']);
    expect(created?.status).toBe(200);
    expect(created?.json).toMatchObject({
      result: true,
      data: { crmId: '000000001', maxAttempt: 0, tryInterval: 0, timeStart: 540, timeEnd: 1439 },
    });
    // the whole raw value, attributes included, fits the 200-character setting: nothing of it is lost
    expect(settings.TOKEN).toMatch(/^autodialer_session=[0-9a-f]{64}; /);
    expect(settings.TOKEN!.length).toBeLessThan(200);
    expect(settings.TOKEN).toMatch(/HttpOnly/);

    // the next call probes GET /test with the stored (cut) value and goes on without logging in again
    const paused = await call(server.url, settings, log, 'PUT', `/task/${created!.json.data.id}`, { state: 2 });
    expect(log).toEqual(['login 200', 'probe 200']);
    expect(paused?.json).toMatchObject({ result: true, data: { state: 2 } });
  });

  it('a value cut at 200 characters still carries the session id', async () => {
    const settings: { TOKEN?: string } = {};
    const log: string[] = [];
    await connect(server.url, settings, 'admin', 's3cret', log);
    const padded = `${settings.TOKEN}; Expires=Thu, 01 Jan 2099 00:00:00 GMT; Domain=pbx.example.org; ${'x'.repeat(200)}`.slice(0, 200);
    const r = await raw(server.url, 'GET', `${BASE}/test`, [...ONE_C_HEADERS, ['Cookie', padded]]);
    expect(r.status).toBe(200);
  });

  it('when the session has expired, the probe fails and 1C logs in again', async () => {
    const settings: { TOKEN?: string } = {};
    const log: string[] = [];
    await call(server.url, settings, log, 'GET', '/task');
    const first = settings.TOKEN;
    clock += 61_000;
    const listed = await call(server.url, settings, log, 'GET', '/task');
    expect(log).toEqual(['login 200', 'probe 401', 'login 200']);
    expect(listed?.json.result).toBe(true);
    expect(settings.TOKEN).not.toBe(first);
  });

  it('a wrong password gets no cookie and 1C gives up', async () => {
    const log: string[] = [];
    const answer = await raw(
      server.url,
      'POST',
      '/admin-cabinet/session/start',
      [...ONE_C_HEADERS, ['X-Requested-With', 'XMLHttpRequest'], ['Content-Type', 'application/x-www-form-urlencoded']],
      '&login=admin&password=nope&',
    );
    expect(headerMap(answer).has('Set-Cookie')).toBe(false);
    expect(await connect(server.url, {}, 'admin', 'nope', log)).toBeUndefined();
  });

  it('on the PBX itself (loopback) the same dance works', async () => {
    const settings: { TOKEN?: string } = {};
    const log: string[] = [];
    const r = await call(loopback.url, settings, log, 'GET', '/task');
    expect(r?.json.result).toBe(true);
    expect(settings.TOKEN).toMatch(/^autodialer_session=/);
  });

  it('every response header name goes out in its canonical spelling', async () => {
    const answers = [
      await raw(server.url, 'POST', '/admin-cabinet/session/start', [['Content-Type', 'application/x-www-form-urlencoded']], '&login=admin&password=s3cret&'),
      await raw(server.url, 'GET', `${BASE}/test`, []), // 401
      await raw(loopback.url, 'GET', `${BASE}/test`, []),
      await raw(loopback.url, 'GET', `${BASE}/task`, []),
      await raw(loopback.url, 'GET', '/nowhere', []), // 404
      await raw(loopback.url, 'GET', '/health', []),
      await raw(loopback.url, 'GET', '/openapi.json', []),
      await raw(loopback.url, 'POST', `${BASE}/task`, [], '{"innerNum":"201"}'),
    ];
    expect(namesOf(answers[0])).toEqual(expect.arrayContaining(['Set-Cookie', 'Content-Type']));
    for (const a of answers) {
      for (const name of namesOf(a)) expect(name, `${name} in ${a.rawHeaders.join(' | ')}`).toMatch(CANONICAL);
      expect(namesOf(a)).toContain('Content-Type');
    }
  });
});

describe('the 1C login body is not URL-encoded', () => {
  const password = 'p+ss&w%rd 1';
  const t = testApi({ DIALER_ADMIN_PASSWORD: password });
  const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };
  const login = (body: string) => t.call('POST', '/admin-cabinet/session/start', body, REMOTE, FORM);

  it('a password with + & % and a space works as 1C sends it and as a browser or curl encodes it', async () => {
    expect((await login(`&login=admin&password=${password}&`)).json.success).toBe(true);
    expect((await login(`login=admin&password=${encodeURIComponent(password)}`)).json.success).toBe(true);
    expect((await login(new URLSearchParams({ login: 'admin', password }).toString())).json.success).toBe(true);
  });

  it('neither reading lets a wrong password in', async () => {
    for (const body of ['&login=admin&password=p+ss&', '&login=admin&password=p ss&w%rd 1&', 'login=admin&password=', '&login=admin&', '']) {
      const r = await login(body);
      expect(r.json.success, body).toBe(false);
      expect(r.headers.get('set-cookie')).toBeNull();
    }
  });
});
