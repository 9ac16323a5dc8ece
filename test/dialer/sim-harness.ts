import { createClock } from '../../src/clock.js';
import type { EventSink } from '../../src/events/types.js';
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
  const e = await freshEnv({ DIALER_TIME_SCALE: String(SCALE), DIALER_QUEUES: '9000,9001', DIALER_SAFETY_TICK_SECONDS: '1', ...env });
  const sim: Simulator = await startSimulator({ port: 0, timeScale: SCALE, seed: 1, trunkMode });
  const opened: { ari: AriPort; dialer: Dialer }[] = [];

  /** `events`: where the dialer publishes its live events (none by default). */
  async function dialer(runSurvey: RunSurvey = fakeSurvey(), events?: EventSink) {
    const ari = await connectAri({ url: sim.url, username: sim.username, password: sim.password, app: e.config.ari.app, log: e.log });
    const d = createDialer({ config: e.config, db: e.db, log: e.log, ari, clock: createClock(SCALE), runSurvey, simulator: true, events });
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
      await e.cleanup();
    },
  };
}

/**
 * A TCP proxy standing for "the network path to Asterisk": `down()` drops every connection and refuses new
 * ones (Asterisk gone), `up(target)` accepts again, possibly towards another simulator (Asterisk restarted).
 */
export async function tcpProxy(targetUrl: string) {
  const net = await import('node:net');
  let target = new URL(targetUrl);
  const sockets = new Set<import('node:net').Socket>();
  let server: import('node:net').Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port), target.hostname);
        for (const sock of [client, upstream]) {
          sockets.add(sock);
          sock.on('close', () => sockets.delete(sock));
          sock.on('error', () => sock.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as import('node:net').AddressInfo).port;
        resolve();
      });
    });
  await listen();
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    async down() {
      await new Promise<void>((r) => {
        server!.close(() => r());
        for (const s of sockets) s.destroy();
      });
    },
    async up(newTarget?: string) {
      if (newTarget) target = new URL(newTarget);
      await listen();
    },
    async close() {
      await this.down().catch(() => {});
    },
  };
}
