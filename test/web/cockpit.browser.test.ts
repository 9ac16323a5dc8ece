import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { startHttpServer, type HttpServer } from '../../src/api/server.js';
import { createClock } from '../../src/clock.js';
import { EventBus } from '../../src/events/bus.js';
import { startTaskProgress } from '../../src/events/progress.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { connectAri } from '../../stasis/ari/ari-client-port.js';
import type { AriPort } from '../../stasis/ari/port.js';
import { createDialer, type Dialer } from '../../stasis/dialer/index.js';
import { noPromptPreparer } from '../../src/ports.js';
import { fakeConverter } from '../api/helpers.js';
import { fakeSurvey } from '../dialer/helpers.js';
import { freshEnv } from '../helpers/env.js';
import { browserSkipReason, CHROMIUM } from './browser.js';

/**
 * The cockpit in a real browser (Debian's chromium driven by playwright-core): an operator from another machine
 * (X-Forwarded-For through a trusted proxy, so loopback is not free) logs in, watches a simulated campaign
 * progress live without reloading, and pauses it. Screenshots go to test-artifacts/.
 */
const SCALE = 0.05;
const ARTIFACTS = join(process.cwd(), 'test-artifacts');

describe.skipIf(browserSkipReason())('the cockpit in a browser', () => {
  let env: Awaited<ReturnType<typeof freshEnv>>;
  let sim: Simulator;
  let ari: AriPort;
  let dialer: Dialer;
  let server: HttpServer;
  let browser: Browser;
  let page: Page;
  let progress: { stop(): void };
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${server.url}/pbxcore/api/module-dialer/v1${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: 'Bearer tok-cockpit' } }).then((r) => r.json() as Promise<any>);

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    env = await freshEnv({ DIALER_TIME_SCALE: String(SCALE), DIALER_ADMIN_PASSWORD: 'pw-42', DIALER_API_TOKENS: 'tok-cockpit', DIALER_TRUSTED_PROXIES: '127.0.0.1', DIALER_SAFETY_TICK_SECONDS: '1' });
    sim = await startSimulator({ port: 0, timeScale: SCALE, seed: 3 });
    const events = new EventBus();
    progress = startTaskProgress({ db: env.db, bus: events, log: env.log }); // as stasis/main.ts does
    ari = await connectAri({ url: sim.url, username: sim.username, password: sim.password, app: env.config.ari.app, log: env.log });
    dialer = createDialer({ config: env.config, db: env.db, log: env.log, ari, clock: createClock(SCALE), runSurvey: fakeSurvey({ result: 'SUCCESS_POLLING' }, 4000), events, simulator: true });
    await dialer.start();
    server = await startHttpServer(createApp({ config: env.config, db: env.db, log: env.log, dialer, events, audio: fakeConverter(), prompts: noPromptPreparer }), { ...env.config, http: { ...env.config.http, host: '127.0.0.1', port: 0 } }, env.log);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': '203.0.113.7' }, viewport: { width: 1280, height: 720 } });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    progress?.stop();
    await dialer?.stop();
    await ari?.close();
    await server?.close();
    await sim?.stop();
    await env?.cleanup();
  });

  it('asks a remote operator to log in, refuses a wrong password, then shows the campaigns', async () => {
    await page.goto(`${server.url}/cockpit`);
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
    const dialed = sim.world.callLog.filter((c) => c.number?.startsWith('7915')).length;
    await new Promise((res) => setTimeout(res, 1000));
    expect(sim.world.callLog.filter((c) => c.number?.startsWith('7915')).length).toBe(dialed);
    expect(dialed).toBeLessThan(numbers.length);
    await page.screenshot({ path: join(ARTIFACTS, 'cockpit-paused.png') });
    expect(reloads).toEqual([]);
  });
});
