import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createApp } from '../../src/api/app.js';
import type { SpeechPreview } from '../../src/api/deps.js';
import { startHttpServer, type HttpServer } from '../../src/api/server.js';
import { createClock } from '../../src/clock.js';
import { EventBus } from '../../src/events/bus.js';
import { startTaskProgress } from '../../src/events/progress.js';
import { noPromptPreparer } from '../../src/ports.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { connectAri } from '../../stasis/ari/ari-client-port.js';
import type { AriPort } from '../../stasis/ari/port.js';
import type { DialerDeps } from '../../stasis/dialer/core.js';
import { createDialer, type Dialer } from '../../stasis/dialer/index.js';
import { fakeConverter } from '../api/helpers.js';
import { fakeSurvey } from '../dialer/helpers.js';
import { freshEnv } from '../helpers/env.js';
import { CHROMIUM } from './browser.js';

export const ARTIFACTS = join(process.cwd(), 'test-artifacts');
export const TOKEN = 'tok-cockpit';
export const PASSWORD = 'pw-42';

export interface CockpitWorld {
  env: Awaited<ReturnType<typeof freshEnv>>;
  sim: Simulator;
  ari: AriPort;
  dialer: Dialer;
  events: EventBus;
  server: HttpServer;
  browser: Browser;
  /** A page of an operator on another machine (X-Forwarded-For through a trusted proxy: must log in). */
  page: Page;
  /** The v1 API with a token: the envelope as JSON. */
  api(method: string, path: string, body?: unknown): Promise<any>;
  /** Log the page in (admin / PASSWORD) and wait for the campaigns. */
  login(): Promise<void>;
  close(): Promise<void>;
}

/**
 * What every browser test of the cockpit needs: a simulated PBX, the dialer (surveys faked: `survey`
 * after `surveyMs`), the API with the cockpit, task progress as stasis/main.ts publishes it, and chromium with
 * one page. Screenshots go to ARTIFACTS.
 */
export async function startCockpitWorld(o: { scale?: number; survey?: Parameters<typeof fakeSurvey>[0]; surveyMs?: number; speech?: SpeechPreview; runSurvey?: DialerDeps['runSurvey'] } = {}): Promise<CockpitWorld> {
  const scale = o.scale ?? 0.05;
  mkdirSync(ARTIFACTS, { recursive: true });
  const env = await freshEnv({ DIALER_TIME_SCALE: String(scale), DIALER_ADMIN_PASSWORD: PASSWORD, DIALER_API_TOKENS: TOKEN, DIALER_TRUSTED_PROXIES: '127.0.0.1', DIALER_SAFETY_TICK_SECONDS: '1' });
  const sim = await startSimulator({ port: 0, timeScale: scale, seed: 3 });
  const events = new EventBus();
  const progress = startTaskProgress({ db: env.db, bus: events, log: env.log });
  const ari = await connectAri({ url: sim.url, username: sim.username, password: sim.password, app: env.config.ari.app, log: env.log });
  const runSurvey = o.runSurvey ?? fakeSurvey(o.survey ?? { result: 'SUCCESS_POLLING' }, o.surveyMs ?? 4000);
  const dialer = createDialer({ config: env.config, db: env.db, log: env.log, ari, clock: createClock(scale), runSurvey, events, simulator: true });
  await dialer.start();
  const server = await startHttpServer(
    createApp({ config: env.config, db: env.db, log: env.log, dialer, events, audio: fakeConverter(), prompts: noPromptPreparer, speech: o.speech }),
    { ...env.config, http: { ...env.config.http, host: '127.0.0.1', port: 0 } },
    env.log,
  );
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': '203.0.113.7' }, viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${server.url}/pbxcore/api/module-dialer/v1${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` } }).then((r) => r.json() as Promise<any>);
  return {
    env, sim, ari, dialer, events, server, browser, page, api,
    async login() {
      await page.goto(`${server.url}/cockpit`);
      await page.waitForSelector('form.login');
      await page.fill('input[name=login]', 'admin');
      await page.fill('input[name=password]', PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForSelector('table#campaigns');
    },
    async close() {
      await browser.close().catch(() => undefined);
      progress.stop();
      await dialer.stop();
      await ari.close();
      await server.close();
      await sim.stop();
      await env.cleanup();
    },
  };
}
