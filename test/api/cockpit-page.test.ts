import { describe, expect, it } from 'vitest';
import { REMOTE, testApi } from './helpers.js';

/** The page and its script are served to anyone (the login form is part of them); the data behind them is not. */
describe('the cockpit page and its script', () => {
  const t = testApi({ DIALER_ADMIN_PASSWORD: 'pw' });

  it('serves the page and the bundled script; a browser that has the script gets 304 until it changes', async () => {
    const page = await t.app.request('/cockpit', {}, REMOTE);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/cockpit/app.js">');
    const js = await t.app.request('/cockpit/app.js', {}, REMOTE);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toBe('no-cache');
    const etag = js.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect((await js.text()).length).toBeGreaterThan(10_000);
    const again = await t.app.request('/cockpit/app.js', { headers: { 'if-none-match': etag } }, REMOTE);
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await t.app.request('/cockpit/app.js', { headers: { 'if-none-match': '"older"' } }, REMOTE);
    expect(other.status).toBe(200);
  });

  it('answers 401 for the data behind the page without a login', async () => {
    expect((await t.app.request('/cockpit/api/campaigns', {}, REMOTE)).status).toBe(401);
  });
});
