import type { Hono } from 'hono';
import { createApp } from '../../src/api/app.js';
import { createClock, type Clock } from '../../src/clock.js';
import { createFfmpegConverter } from '../../src/media/ffmpeg.js';
import { createTts, type Tts } from '../../src/tts/index.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { connectAri } from '../../stasis/ari/ari-client-port.js';
import type { AriPort } from '../../stasis/ari/port.js';
import { createDialer, type Dialer } from '../../stasis/dialer/index.js';
import { createSurveyRunner, type SurveyDeps } from '../../stasis/survey/index.js';
import { FAKE_API_KEY, startFakeSpeechKit, type FakeSpeechKit } from '../fakes/speechkit.js';
import { freshEnv } from '../helpers/env.js';
import type { pollingResults, taskResults } from '../../src/db/schema.js';
import type { Db } from '../../src/db/client.js';

export const BASE = '/pbxcore/api/module-dialer/v1';
export const LOCAL = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };

/** Sends a request to the v1 API from loopback (no auth needed) and returns the JSON envelope. */
export async function api(app: Hono, method: string, path: string, body?: unknown) {
  const res = await app.request(`${BASE}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) }, LOCAL);
  return (await res.json()) as { result: boolean; data: any; messages: unknown };
}

/** Polls until the task's attempts for these numbers have a result (or gives up after `ms`). */
export async function waitForResults(db: Db, taskId: number, count: number, ms = 15_000) {
  const until = Date.now() + ms;
  for (;;) {
    const rows = (await db.all<typeof taskResults.$inferSelect>('SELECT * FROM task_results WHERE taskId = ? ORDER BY id', [taskId])).filter(
      (r) => r.result !== '',
    );
    if (rows.length >= count || Date.now() > until) return rows;
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const pollingRowsOf = (db: Db, taskId: number) =>
  db.all<typeof pollingResults.$inferSelect>('SELECT * FROM polling_results WHERE taskId = ? ORDER BY id', [taskId]);

/** The pieces of an end-to-end survey suite: simulator, fake SpeechKit, env, ari-client, TTS, dialer and API. */
export interface SurveyWorld {
  sim: Simulator;
  speechkit: FakeSpeechKit;
  env: Awaited<ReturnType<typeof freshEnv>>;
  ari: AriPort;
  tts: Tts;
  clock: Clock;
  dialer: Dialer;
  app: ReturnType<typeof createApp>;
  close(): Promise<void>;
}

/**
 * Starts what e2e-sim and v135-e2e-sim share: the ARI simulator (`spoolDir` for recordings), the fake SpeechKit,
 * a fresh env pointing at both, the real survey runner (`extra` adds its v1.35 deps: recognizer, CRM…), the
 * dialer through ari-client and the API. Both sides run at `scale` of real time. `onEvent` sees every
 * simulator event (set before any call).
 */
export async function startSurveyWorld(o: {
  scale: number;
  spoolDir?: string;
  onEvent?: (e: unknown, sim: Simulator) => void;
  extra?: (env: SurveyWorld['env']) => Partial<SurveyDeps>;
}): Promise<SurveyWorld> {
  const sim = await startSimulator({ timeScale: o.scale, app: 'autodialer', ...(o.spoolDir ? { spoolDir: o.spoolDir } : {}) });
  if (o.onEvent) sim.world.onEvent((e) => o.onEvent!(e, sim));
  const speechkit = await startFakeSpeechKit();
  const env = await freshEnv({ YANDEX_API_KEY: FAKE_API_KEY, YANDEX_TTS_URL: speechkit.url, DIALER_TIME_SCALE: String(o.scale), ARI_URL: sim.url, ARI_USERNAME: sim.username, ARI_PASSWORD: sim.password });
  const ari = await connectAri({ url: sim.url, username: sim.username, password: sim.password, app: env.config.ari.app, log: env.log });
  const tts = createTts(env.config.tts, env.dir, env.log);
  const clock = createClock(o.scale);
  const runSurvey = createSurveyRunner({ db: env.db, log: env.log, clock, tts, ...o.extra?.(env) });
  const dialer = createDialer({ config: env.config, db: env.db, log: env.log, ari, clock, runSurvey, simulator: true });
  const app = createApp({ config: env.config, db: env.db, log: env.log, dialer, audio: createFfmpegConverter({ log: env.log }), prompts: tts.preparer });
  await dialer.start();
  return {
    sim, speechkit, env, ari, tts, clock, dialer, app,
    async close() {
      await dialer.stop();
      await ari.close();
      await sim.stop();
      await speechkit.close();
      await env.cleanup();
    },
  };
}
