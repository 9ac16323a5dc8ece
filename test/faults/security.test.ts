import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PUBLIC_PATHS } from '../../src/auth/index.js';
import { fromAddress } from '../api/helpers.js';
import { apiUnderTest, BASE, LOCAL, REMOTE } from './harness/api.js';

/** Concrete path for a route pattern; every parameter gets a plausible value. */
const concrete = (path: string) =>
  path.replace(':changeTime', '0').replace(':name', 'hello.mp3').replace(/:[A-Za-z]+/g, '1000000001');
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
// login, liveness, the API description, the cockpit's page shell and script (src/auth PUBLIC_PATHS)
const PUBLIC = new Set(PUBLIC_PATHS);

const guarded = await apiUnderTest({ DIALER_ADMIN_PASSWORD: 'pw', DIALER_API_TOKENS: 'tok', DIALER_TRUSTED_PROXIES: '10.0.0.5' });
describe('every route needs credentials from a non-local client', () => {
  const t = guarded;
  afterAll(() => t.cleanup());
  // Enumerated from the app itself: a route added later is covered without touching this test.
  const routes = t.app.routes.filter((r) => r.method !== 'ALL' && !PUBLIC.has(r.path));

  it('the app has the routes we expect to guard', () => {
    expect(routes.length).toBeGreaterThanOrEqual(15);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toContain(`DELETE ${BASE}/task/:id`);
  });

  it('401 without credentials, and nothing is written', async () => {
    for (const r of routes) {
      const before = await t.snapshot();
      const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? JSON.stringify({ innerNum: '201', numbers: ['79001234567'], phone: '79001234567', name: 'x' }) : undefined;
      const res = await t.send(r.method, concrete(r.path), body, { 'content-type': 'application/json' }, REMOTE);
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
      expect(res.json.errors, `${r.method} ${r.path}`).toEqual(["The user isn't authenticated."]);
      expect(await t.snapshot(), `${r.method} ${r.path}`).toBe(before);
    }
  });

  it('401 with wrong credentials, forged cookies and a forged X-Forwarded-For', async () => {
    const forged: Record<string, string>[] = [
      { authorization: 'Bearer wrong' },
      { authorization: 'Bearer ' },
      { authorization: 'Basic YWRtaW46cHc=' },
      { cookie: 'autodialer_session=' + 'a'.repeat(64) },
      { cookie: 'autodialer_session=' },
      { 'x-forwarded-for': '127.0.0.1' },
      { 'x-real-ip': '127.0.0.1', forwarded: 'for=127.0.0.1' },
    ];
    for (const r of routes) {
      for (const h of forged) {
        const res = await t.send(r.method, concrete(r.path), undefined, h, REMOTE);
        expect(res.status, `${r.method} ${r.path} ${JSON.stringify(h)}`).toBe(401);
      }
    }
  });

  it('a trusted proxy forwarding a remote client is not local; forwarding a local one is', async () => {
    const proxy = fromAddress('10.0.0.5');
    expect((await t.send('GET', `${BASE}/task`, undefined, { 'x-forwarded-for': '203.0.113.9' }, proxy)).status).toBe(401);
    // a client cannot hide behind a loopback entry it prepends itself: the right-most untrusted address counts
    expect((await t.send('GET', `${BASE}/task`, undefined, { 'x-forwarded-for': '127.0.0.1, 203.0.113.9' }, proxy)).status).toBe(401);
    expect((await t.send('GET', `${BASE}/task`, undefined, { 'x-forwarded-for': '127.0.0.1' }, proxy)).status).toBe(200);
  });

  it('unknown paths answer 401 too (nothing to probe)', async () => {
    for (const p of [`${BASE}/nope`, '/admin', '/.env', `${BASE}/../../etc/passwd`]) {
      expect((await t.send('GET', p, undefined, {}, REMOTE)).status, p).toBe(401);
    }
  });

  it('a token opens every route', async () => {
    for (const r of routes.filter((x) => x.method === 'GET')) {
      // (status only: GET …/events is a stream that never ends)
      const status = await t.status('GET', concrete(r.path), { authorization: 'Bearer tok' }, REMOTE);
      // the cockpit's endpoints answer 404 for a campaign that does not exist, 400 for a missing parameter: opened all the same
      if (r.path.startsWith('/cockpit/api/')) expect([200, 400, 404], r.path).toContain(status);
      else expect(status, r.path).toBe(200);
    }
  });
});

let now = Date.now();
const sessions = await apiUnderTest({ DIALER_ADMIN_PASSWORD: 'pw', DIALER_SESSION_TTL_SECONDS: '60' }, () => now);
describe('sessions and lockout', () => {
  const t = sessions;
  afterAll(() => t.cleanup());
  const login = (password: string, from = REMOTE) => t.send('POST', '/admin-cabinet/session/start', `login=admin&password=${password}`, FORM, from);

  it('the session cookie is HttpOnly, has a Max-Age, and stops working when it expires', async () => {
    const res = await login('pw');
    expect(res.json.success).toBe(true);
    const set = res.headers.get('set-cookie')!;
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/Max-Age=60/);
    const cookie = set.split(';')[0]!;
    expect((await t.send('GET', `${BASE}/task`, undefined, { cookie }, REMOTE)).status).toBe(200);
    now += 59_000;
    expect((await t.send('GET', `${BASE}/task`, undefined, { cookie }, REMOTE)).status).toBe(200);
    now += 2_000;
    expect((await t.send('GET', `${BASE}/task`, undefined, { cookie }, REMOTE)).status).toBe(401);
  });

  it('10 failed logins lock the address out (429 even with the right password); others are unaffected', async () => {
    const attacker = fromAddress('192.0.2.66');
    for (let i = 0; i < 10; i++) expect((await login('guess' + i, attacker)).json.success).toBe(false);
    const locked = await login('pw', attacker);
    expect(locked.status).toBe(429);
    expect(locked.json.success).toBe(false);
    expect(locked.headers.get('set-cookie')).toBeNull();
    expect((await login('pw', fromAddress('192.0.2.67'))).json.success).toBe(true);
    now += 301_000;
    expect((await login('pw', attacker)).json.success).toBe(true);
  });

  it('a generated storm of bad logins never yields a cookie', async () => {
    const attacker = fromAddress('192.0.2.99');
    for (const body of ['login=admin', 'password=pw', 'login=admin&password=pw%00', 'login=admin&password=PW', 'login=ADMIN&password=pw', 'login[]=admin&password[]=pw', '', '%%%']) {
      const res = await t.send('POST', '/admin-cabinet/session/start', body, FORM, attacker);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('set-cookie'), body).toBeNull();
    }
  });
});

const storage = await apiUnderTest({ DIALER_MAX_UPLOAD_BYTES: '2048' });
describe('audio storage', () => {
  const t = storage;
  afterAll(() => t.cleanup());
  const upload = (name: string, size: number) => {
    const form = new FormData();
    form.append('file', new File([new Uint8Array(size).fill(7)], name));
    return t.send('POST', `${BASE}/audio`, form);
  };

  it('an audio name cannot escape the audio folder, on upload or on delete', async () => {
    const sentinel = join(t.dir, 'secret.wav');
    writeFileSync(sentinel, 'keep me');
    for (const name of ['../secret.wav', '..%2Fsecret.wav', '....//secret.wav', '/tmp/x.wav']) {
      expect((await upload(name, 10)).json.result, name).toBe(false);
    }
    const ok = await upload('fine.wav', 10);
    expect(ok.json.result).toBe(true);
    expect(ok.json.data.filename.startsWith(join(t.dir, 'audio') + '/')).toBe(true);
    for (const n of ['..%2Fsecret.wav', '%2E%2E%2Fsecret.wav', '..%5Csecret.wav']) {
      const res = await t.send('DELETE', `${BASE}/audio/${n}`);
      expect(res.json.result, n).toBe(false);
    }
    expect(existsSync(sentinel)).toBe(true);
  });

  it('uploads over DIALER_MAX_UPLOAD_BYTES get 413 and store nothing, with or without Content-Length', async () => {
    const before = await t.snapshot();
    const big = await upload('big.wav', 10_000);
    expect(big.status).toBe(413);
    expect(big.json.result).toBe(false);
    expect(big.json.messages[0]).toMatch(/2048/);
    // chunked: no Content-Length, the limit is enforced while reading
    const B = 'bnd';
    const head = new TextEncoder().encode(`--${B}\r\nContent-Disposition: form-data; name="f"; filename="c.wav"\r\n\r\n`);
    const stream = new ReadableStream<Uint8Array>({
      start(ctrl) {
        ctrl.enqueue(head);
        for (let i = 0; i < 10; i++) ctrl.enqueue(new Uint8Array(1024).fill(1));
        ctrl.enqueue(new TextEncoder().encode(`\r\n--${B}--\r\n`));
        ctrl.close();
      },
    });
    const res = await t.app.request(`${BASE}/audio`, { method: 'POST', body: stream, headers: { 'content-type': `multipart/form-data; boundary=${B}` }, duplex: 'half' } as RequestInit, LOCAL);
    expect(res.status).toBe(413);
    expect(await t.snapshot()).toBe(before);
  });
});
