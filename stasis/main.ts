/**
 * Composition root: the one place that wires config, storage, ARI, the dialer, the survey engine and the
 * HTTP API together. `npm start` runs this file. Everything else receives its dependencies.
 */
import { mkdirSync } from 'node:fs';
import { loadConfig, ConfigError } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { openDb, dbFileIn } from '../src/db/client.js';
import { createClock } from '../src/clock.js';
import { createApp } from '../src/api/app.js';
import { startHttpServer } from '../src/api/server.js';
import { createFfmpegConverter } from '../src/media/ffmpeg.js';
import { createTts } from '../src/tts/index.js';
import { connectAri } from './ari/ari-client-port.js';
import { createDialer } from './dialer/index.js';
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
  const db = openDb(dbFileIn(config.dataDir));

  let ariUrl = config.ari.url;
  let stopSimulator: (() => Promise<void>) | undefined;
  if (!ariUrl) {
    const { startSimulator } = await import('../sim/index.js');
    const sim = await startSimulator({
      host: '127.0.0.1',
      port: config.sim.port,
      timeScale: config.sim.timeScale,
      seed: config.sim.seed,
      username: config.ari.username,
      password: config.ari.password,
    });
    ariUrl = sim.url;
    stopSimulator = () => sim.stop();
    log.warn(
      { simulatorUrl: sim.url },
      '*** ARI_URL is not set: running the BUILT-IN ARI SIMULATOR. No real calls are made. Set ARI_URL to use Asterisk. ***',
    );
  }

  const clock = createClock(config.dialing.timeScale);
  const tts = createTts(config.tts, config.dataDir, log);
  const ari = await connectAri({ url: ariUrl, username: config.ari.username, password: config.ari.password, app: config.ari.app, log });
  const runSurvey = createSurveyRunner({ db, log, clock, tts });
  const dialer = createDialer({ config, db, log, ari, clock, runSurvey, simulator: Boolean(stopSimulator) });
  const app = createApp({ config, db, log, dialer, audio: createFfmpegConverter({ ffmpegPath: config.media.ffmpegPath, log }), prompts: tts.preparer });
  const server = await startHttpServer(app, config, log);
  await dialer.start();
  log.info({ url: server.url }, 'autodialer ready');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: no new calls; draining calls in flight');
    await dialer.stop();
    await server.close();
    await ari.close();
    await stopSimulator?.();
    db.$client.close();
    log.info('stopped');
    log.flush?.();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`autodialer failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
