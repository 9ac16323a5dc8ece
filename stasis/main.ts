/**
 * Composition root: the one place that wires config, storage, ARI, the dialer, the survey engine and the
 * HTTP API together. `npm start` runs this file. Everything else receives its dependencies.
 */
import { mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig, ConfigError } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { openDb } from '../src/db/client.js';
import { createClock } from '../src/clock.js';
import { createApp } from '../src/api/app.js';
import { startHttpServer } from '../src/api/server.js';
import { createFfmpegConverter } from '../src/media/ffmpeg.js';
import { createTts } from '../src/tts/index.js';
import { createSettingsReader } from '../src/services/settings/index.js';
import { startWebhookDelivery } from '../src/webhooks/index.js';
import { createYandexRecognizer } from '../src/stt/index.js';
import { createCrmClient } from '../src/crm/index.js';
import { EventBus } from '../src/events/bus.js';
import { startTaskProgress } from '../src/events/progress.js';
import { createMetrics } from '../src/metrics/index.js';
import { connectAri } from './ari/ari-client-port.js';
import { createDialer } from './dialer/index.js';
import { createInbound } from './inbound/index.js';
import { createSurveyRunner } from './survey/index.js';

async function main() {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });
  const db = await openDb({ url: config.databaseUrl, poolSize: config.databasePoolSize }).catch((err: Error) => {
    throw new ConfigError(`DATABASE_URL: cannot open the database (${err.message})`);
  });
  log.info({ database: db.label, node: config.node.id }, 'database open');

  let ariUrl = config.ari.url;
  let stopSimulator: (() => Promise<void>) | undefined;
  if (!ariUrl) {
    const { startSimulator } = await import('../sim/index.js');
    // Any free port unless SIM_PORT is set: on the PBX host Asterisk itself listens on 8088.
    const sim = await startSimulator({
      host: '127.0.0.1',
      port: config.sim.port ?? 0,
      timeScale: config.sim.timeScale,
      seed: config.sim.seed,
      username: config.ari.username,
      password: config.ari.password,
      spoolDir: join(config.dataDir, 'sim-spool'),
    }).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EADDRINUSE' && e.code !== 'EACCES') throw e;
      const asterisk = config.sim.port === 8088 ? " (most likely by Asterisk's own HTTP server)" : '';
      const why = e.code === 'EADDRINUSE' ? `is already in use${asterisk}` : 'may not be opened by this user';
      throw new ConfigError(`SIM_PORT=${config.sim.port}: port ${why}. Unset SIM_PORT to let the built-in simulator take a free port, or set ARI_URL to use Asterisk.`);
    });
    ariUrl = sim.url;
    stopSimulator = () => sim.stop();
    log.warn(
      { simulatorUrl: sim.url },
      '*** ARI_URL is not set: running the BUILT-IN ARI SIMULATOR. No real calls are made. Set ARI_URL to use Asterisk. ***',
    );
  }

  const clock = createClock(config.dialing.timeScale);
  // The module-form settings (database over environment), read at use time by TTS, recognition, the CRM client
  // and (once connected) the dialer and the survey; the API writes through the same object.
  const settings = createSettingsReader(db, config, log);
  // Webhooks queued in the outbox (with each result / task state change) are delivered from here, at least once.
  const webhooks = startWebhookDelivery({ db, log, settings, timeScale: config.dialing.timeScale });
  const converter = createFfmpegConverter({ ffmpegPath: config.media.ffmpegPath, log });
  const tts = createTts(config.tts, config.dataDir, log, { settings, converter });
  const recognizer = createYandexRecognizer({ url: config.stt.yandexUrl, settings, converter, tmpDir: join(config.dataDir, 'stt'), log });
  const crm = createCrmClient({ settings, log });
  const ari = await connectAri({ url: ariUrl, username: config.ari.username, password: config.ari.password, app: config.ari.app, log });
  // With the built-in simulator, its recordings are files under the data dir (there is no Asterisk spool).
  const recordingsDir = stopSimulator ? join(config.dataDir, 'sim-spool', 'recording') : config.dialing.recordingsDir;
  // Asterisk writes ARI recordings there but does not create the folder (a record request is then a 500).
  await mkdir(recordingsDir, { recursive: true }).catch((err: Error) =>
    log.warn({ recordingsDir, err: err.message }, 'could not create the recordings folder; playback_record will not record until it exists'),
  );
  const runSurvey = createSurveyRunner({ db, log, clock, tts, recognizer, crm, settings, recordingsDir });
  // Inbound polls (Stasis(app,inbound,exten)); the dialer gets a port that does not show it those callers.
  const inbound = createInbound({ db, log, ari, clock, runSurvey, internalContext: config.dialing.internalContext });
  // The live events: the dialer publishes, the API streams them (GET /events), metrics and task progress listen.
  const events = new EventBus();
  const progress = startTaskProgress({ db, bus: events, log });
  const dialer = createDialer({ config, db, log, ari: inbound.hideFrom(ari), clock, runSurvey, settings, tts, simulator: Boolean(stopSimulator), events });
  const metrics = createMetrics({ bus: events, status: () => dialer.status() });
  const app = createApp({ config, db, log, dialer, audio: converter, prompts: tts.preparer, speech: tts, settings, crm, events, metrics });
  const server = await startHttpServer(app, config, log);
  inbound.start();
  await dialer.start();
  log.info({ url: server.url }, 'autodialer ready');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: no new calls; draining calls in flight');
    await Promise.all([dialer.stop(), inbound.stop(clock.scaled(config.dialing.shutdownDeadlineSeconds * 1000))]);
    await webhooks.stop();
    progress.stop();
    metrics.stop();
    await server.close();
    await ari.close();
    await stopSimulator?.();
    await db.close();
    log.info('stopped');
    log.flush?.();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`autodialer failed to start: ${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`autodialer failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
