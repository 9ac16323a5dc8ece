import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason } from './browser.js';
import { ARTIFACTS, startCockpitWorld, type CockpitWorld } from './cockpit-world.js';

/**
 * The cockpit in a real browser (Debian's chromium driven by playwright-core): an operator from another machine
 * (X-Forwarded-For through a trusted proxy, so loopback is not free) logs in, watches a simulated campaign
 * progress live without reloading, and pauses it. Screenshots go to test-artifacts/.
 */
describe.skipIf(browserSkipReason())('the cockpit in a browser', () => {
  let w: CockpitWorld;
  let page: Page;
  const api = (method: string, path: string, body?: unknown) => w.api(method, path, body);

  beforeAll(async () => {
    w = await startCockpitWorld();
    page = w.page;
  });
  afterAll(async () => {
    await w?.close();
  });

  it('asks a remote operator to log in, refuses a wrong password, then shows the campaigns', async () => {
    await page.goto(`${w.server.url}/cockpit`);
    await page.waitForSelector('form.login');
    await page.fill('input[name=login]', 'admin');
    await page.fill('input[name=password]', 'wrong');
    await page.click('button[type=submit]');
    await page.waitForSelector('.err');
    await page.fill('input[name=password]', 'pw-42');
    await page.click('button[type=submit]');
    await page.waitForSelector('table#campaigns');
    await page.screenshot({ path: join(ARTIFACTS, 'cockpit-logged-in.png') });
  });

  it('shows a campaign progressing live, without a reload, and pauses it', async () => {
    const numbers = Array.from({ length: 30 }, (_, i) => `7915${String(i).padStart(6, '0')}0`);
    const p = await api('POST', '/polling', { name: 'browser survey', questions: [{ questionId: 'q1', questionText: 'Press 1', press: [{ key: '1', action: 'answer', value: 'yes' }] }] });
    expect(p.result, JSON.stringify(p.messages)).toBe(true);
    const r = await api('POST', '/task', { name: 'browser campaign', innerNumType: 'polling', innerNum: String(p.data.id), maxCountChannels: 3, dialPrefix: '0', numbers });
    expect(r.result, JSON.stringify(r.messages)).toBe(true);
    const id = Number(r.data.id);
    const row = `tr[data-task="${id}"]`;
    await page.waitForSelector(row); // pushed: the task's first calls made the page read the list again
    const reloads: string[] = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && reloads.push(f.url()));
    const done = async () => Number(await page.textContent(`${row} .done-count`));
    await page.waitForFunction((sel) => Number(document.querySelector(`${sel} .in-call`)?.textContent) > 0, row);
    await page.waitForFunction((sel) => Number(document.querySelector(`${sel} .done-count`)?.textContent) >= 3, row, { timeout: 20_000 });
    const seen = await done();
    await page.waitForFunction(([sel, n]) => Number(document.querySelector(`${sel} .done-count`)?.textContent) > Number(n), [row, seen] as const, { timeout: 20_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'cockpit-live.png') });
    expect(await page.textContent(`${row} .results`)).toContain('SUCCESS_POLLING');

    await page.click(`${row} button:has-text("Pause")`);
    await page.waitForSelector(`${row}[data-state="paused"]`);
    expect((await api('GET', `/task/${id}`)).data.state).toBe('2');
    // in-flight calls finish, nothing new is dialed
    await page.waitForFunction((sel) => Number(document.querySelector(`${sel} .in-call`)?.textContent) === 0, row, { timeout: 20_000 });
    const dialed = w.sim.world.callLog.filter((c) => c.number?.startsWith('7915')).length;
    await new Promise((res) => setTimeout(res, 1000));
    expect(w.sim.world.callLog.filter((c) => c.number?.startsWith('7915')).length).toBe(dialed);
    expect(dialed).toBeLessThan(numbers.length);
    await page.screenshot({ path: join(ARTIFACTS, 'cockpit-paused.png') });
    expect(reloads).toEqual([]);
  });
});
