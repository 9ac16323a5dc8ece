import { describe, expect, it } from 'vitest';
import { PUBLIC_PATHS } from '../../src/auth/index.js';
import { BASE, fromAddress, REMOTE, testApi } from './helpers.js';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const login = (t: ReturnType<typeof testApi>, password: string, from = REMOTE) =>
  t.call('POST', '/admin-cabinet/session/start', `login=admin&password=${password}`, from, FORM);

describe('auth', () => {
  let clock = Date.now();
  const t = testApi({ DIALER_ADMIN_PASSWORD: 's3cret', DIALER_API_TOKENS: 'tok-a, tok-b', DIALER_SESSION_TTL_SECONDS: '60', DIALER_TRUSTED_PROXIES: '10.0.0.1' }, { nowMs: () => clock });

  it('loopback needs nothing (IPv4, IPv6, IPv4-mapped)', async () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
      expect((await t.call('GET', '/task', undefined, fromAddress(a))).status).toBe(200);
    }
  });

  it('others get the original 401 JSON', async () => {
    const r = await t.call('GET', '/task', undefined, REMOTE);
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ jsonapi: { version: '1.0' }, errors: ["The user isn't authenticated."], meta: { timestamp: expect.any(String), hash: expect.any(String) } });
    // an unknown peer (no socket info) is not local
    expect((await t.app.request(`${BASE}/task`)).status).toBe(401);
  });

  it('every route except the public ones answers 401 to a remote caller without credentials', async () => {
    const routes = t.app.routes.filter((r) => r.method !== 'ALL');
    expect(routes.length).toBeGreaterThanOrEqual(18);
    for (const r of routes) {
      const path = r.path.replace(':id', '1').replace(':changeTime', '0').replace(':name', '1.mp3');
      const res = await t.app.request(path, { method: r.method }, REMOTE);
      if (PUBLIC_PATHS.includes(r.path)) expect(res.status, `${r.method} ${r.path}`).not.toBe(401);
      else expect(res.status, `${r.method} ${r.path}`).toBe(401);
    }
  });

  it('a Bearer token from DIALER_API_TOKENS works; a wrong one does not', async () => {
    expect((await t.call('GET', '/task', undefined, REMOTE, { authorization: 'Bearer tok-b' })).status).toBe(200);
    expect((await t.call('GET', '/task', undefined, REMOTE, { authorization: 'Bearer tok-c' })).status).toBe(401);
  });

  it('the session cookie works until it expires', async () => {
    const r = await login(t, 's3cret');
    expect(r.json).toEqual({ success: true, reload: false, message: [] });
    const setCookie = r.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    expect(setCookie).toMatch(/Max-Age=60/);
    const cookie = setCookie.split(';')[0];
    expect((await t.call('GET', '/task', undefined, REMOTE, { cookie })).status).toBe(200);
    expect((await t.call('GET', '/task', undefined, REMOTE, { cookie: 'autodialer_session=forged' })).status).toBe(401);
    clock += 61_000;
    expect((await t.call('GET', '/task', undefined, REMOTE, { cookie })).status).toBe(401);
  });

  it('locks an address out after 10 failed logins in 300 s, even for the right password, then lets it in again', async () => {
    const from = fromAddress('198.51.100.9');
    for (let i = 0; i < 10; i++) expect((await login(t, 'wrong', from)).json.success).toBe(false);
    const locked = await login(t, 's3cret', from);
    expect(locked.status).toBe(429);
    expect(locked.json.success).toBe(false);
    // another address is not affected
    expect((await login(t, 's3cret', fromAddress('198.51.100.10'))).json.success).toBe(true);
    clock += 300_001;
    expect((await login(t, 's3cret', from)).json.success).toBe(true);
  });

  it('X-Forwarded-For is ignored unless the direct peer is a trusted proxy', async () => {
    // an attacker claiming to be loopback
    expect((await t.call('GET', '/task', undefined, REMOTE, { 'x-forwarded-for': '127.0.0.1' })).status).toBe(401);
    // through the trusted proxy, the forwarded client is what counts
    expect((await t.call('GET', '/task', undefined, fromAddress('10.0.0.1'), { 'x-forwarded-for': '203.0.113.50' })).status).toBe(401);
    expect((await t.call('GET', '/task', undefined, fromAddress('10.0.0.1'), { 'x-forwarded-for': '127.0.0.1' })).status).toBe(200);
    // lockout is per forwarded client, not per proxy
    const viaProxy = (ip: string) => ({ ...FORM, 'x-forwarded-for': ip });
    for (let i = 0; i < 10; i++) await t.call('POST', '/admin-cabinet/session/start', 'login=admin&password=x', fromAddress('10.0.0.1'), viaProxy('192.0.2.1'));
    expect((await t.call('POST', '/admin-cabinet/session/start', 'login=admin&password=s3cret', fromAddress('10.0.0.1'), viaProxy('192.0.2.1'))).status).toBe(429);
    expect((await t.call('POST', '/admin-cabinet/session/start', 'login=admin&password=s3cret', fromAddress('10.0.0.1'), viaProxy('192.0.2.2'))).json.success).toBe(true);
  });

  it('/health and /openapi.json are public', async () => {
    expect((await t.call('GET', '/health', undefined, REMOTE)).status).toBe(200);
    const doc = await t.call('GET', '/openapi.json', undefined, REMOTE);
    expect(doc.json.paths[`${BASE}/task`].post.requestBody).toBeDefined();
  });
});

describe('auth without DIALER_ADMIN_PASSWORD', () => {
  const t = testApi({ DIALER_API_TOKENS: 'only-token' });
  it('refuses password login; tokens and local still work', async () => {
    const r = await login(t, '');
    expect(r.json.success).toBe(false);
    expect(r.json.message.error[0]).toMatch(/DIALER_ADMIN_PASSWORD/);
    expect(r.headers.get('set-cookie')).toBeNull();
    expect((await t.call('GET', '/task', undefined, REMOTE, { authorization: 'Bearer only-token' })).status).toBe(200);
    expect((await t.call('GET', '/task')).status).toBe(200);
  });
});

describe('the loopback exemption is only for requests really made on this host', () => {
  const t = testApi({ DIALER_API_TOKENS: 'tok' });
  const proxied = testApi({ DIALER_TRUSTED_PROXIES: '127.0.0.1' });
  const LOCAL = fromAddress('127.0.0.1');
  const status = async (api: ReturnType<typeof testApi>, headers: Record<string, string>, from = LOCAL) =>
    (await api.call('GET', '/task', undefined, from, headers)).status;

  it('a request forwarded by a proxy on this host is not local', async () => {
    expect(await status(t, { 'x-forwarded-for': '203.0.113.9' })).toBe(401);
    expect(await status(t, { forwarded: 'for=203.0.113.9' })).toBe(401);
    expect(await status(t, { 'x-real-ip': '203.0.113.9' }, fromAddress('::1'))).toBe(401);
    expect(await status(t, { 'x-forwarded-for': '203.0.113.9', authorization: 'Bearer tok' })).toBe(200);
  });

  it('a trusted proxy that names no usable client does not make the request local', async () => {
    expect(await status(proxied, {})).toBe(401);
    expect(await status(proxied, { 'x-forwarded-for': '203.0.113.9:4444' })).toBe(401);
    expect(await status(proxied, { 'x-forwarded-for': '203.0.113.9' })).toBe(401);
  });

  it('a browser request (a web page or DNS rebinding) does not get the exemption; curl and CRMs do', async () => {
    expect(await status(t, { origin: 'http://evil.example' })).toBe(401);
    expect(await status(t, { 'sec-fetch-site': 'cross-site' })).toBe(401);
    expect(await status(t, { 'sec-fetch-site': 'same-origin' })).toBe(401);
    expect(await status(t, { 'sec-fetch-site': 'none' })).toBe(200); // the admin typed the URL
    expect(await status(t, { 'user-agent': 'curl/8.0' })).toBe(200);
    const post = await t.call('POST', '/task', '{"innerNum":"1","numbers":["79001112233"]}', LOCAL, { origin: 'http://evil.example', 'content-type': 'text/plain' });
    expect(post.status).toBe(401);
    expect(await t.db.value('SELECT COUNT(*) FROM tasks')).toBe(0);
  });

  it('an unauthenticated caller cannot make the server read a large body', async () => {
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(ctrl) {
        pulled++;
        if (pulled > 2000) return ctrl.close(); // 2000 × 16 KiB = 32 MiB if it were all read
        ctrl.enqueue(new Uint8Array(16 * 1024));
      },
    });
    const REMOTE_PEER = fromAddress('203.0.113.7');
    const res = await t.app.request(`${BASE}/task`, { method: 'POST', body, duplex: 'half' } as RequestInit, REMOTE_PEER);
    expect(res.status).toBe(401);
    expect(pulled).toBeLessThan(50);
    const login = await t.app.request('/admin-cabinet/session/start', { method: 'POST', body: 'login=admin&password=' + 'x'.repeat(64 * 1024), headers: FORM }, REMOTE_PEER);
    expect(login.status).toBe(413);
  });
});

describe('login lockout over IPv6', () => {
  const t = testApi({ DIALER_ADMIN_PASSWORD: 's3cret' });

  it('counts failures per /64, so rotating addresses inside it does not escape the lockout', async () => {
    const { throttleKey } = await import('../../src/auth/sessions.js');
    expect(throttleKey('2001:db8:0:1::5')).toBe(throttleKey('2001:0db8:0000:0001:ffff::9'));
    expect(throttleKey('2001:db8:0:1::5')).not.toBe(throttleKey('2001:db8:0:2::5'));
    expect(throttleKey('203.0.113.7')).toBe('203.0.113.7');

    for (let i = 0; i < 10; i++) expect((await login(t, 'wrong', fromAddress(`2001:db8::${i + 1}`))).status).toBe(200);
    expect((await login(t, 's3cret', fromAddress('2001:db8::abcd'))).status).toBe(429);
    expect((await login(t, 's3cret', fromAddress('2001:db9::1'))).json.success).toBe(true); // another /64
  });
});
