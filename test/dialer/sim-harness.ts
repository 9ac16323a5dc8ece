import { createClock } from '../../src/clock.js';
import { connectAri } from '../../stasis/ari/ari-client-port.js';
import type { AriPort } from '../../stasis/ari/port.js';
import { createDialer, type Dialer } from '../../stasis/dialer/index.js';
import type { RunSurvey } from '../../stasis/survey/types.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { freshEnv } from '../helpers/env.js';
import { fakeSurvey } from './helpers.js';

export const SCALE = 0.02;

/** A fresh DB + config, a simulator, and a way to start dialers connected to it through the real ari-client. */
export async function simSuite(env: Record<string, string> = {}, trunkMode?: 'local' | 'sip') {
  const e = freshEnv({ DIALER_TIME_SCALE: String(SCALE), DIALER_QUEUES: '9000,9001', DIALER_SAFETY_TICK_SECONDS: '1', ...env });
  const sim: Simulator = await startSimulator({ port: 0, timeScale: SCALE, seed: 1, trunkMode });
  const opened: { ari: AriPort; dialer: Dialer }[] = [];

  async function dialer(runSurvey: RunSurvey = fakeSurvey()) {
    const ari = await connectAri({ url: sim.url, username: sim.username, password: sim.password, app: e.config.ari.app, log: e.log });
    const d = createDialer({ config: e.config, db: e.db, log: e.log, ari, clock: createClock(SCALE), runSurvey, simulator: true });
    opened.push({ ari, dialer: d });
    await d.start();
    return { ari, dialer: d };
  }

  return {
    ...e,
    sim,
    dialer,
    async cleanup() {
      for (const o of opened) {
        await o.dialer.stop().catch(() => {});
        await o.ari.close();
      }
      await sim.stop();
      e.cleanup();
    },
  };
}
