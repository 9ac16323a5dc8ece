/** Entry point: `startSimulator(opts)` runs a simulated Asterisk 22 ARI on an HTTP port. */
import type { AddressInfo } from 'node:net';
import { createClock } from './clock.js';
import { createContext } from './context.js';
import { controlHandler, SimWorld } from './control.js';
import { Engine } from './engine.js';
import { createSimServer } from './http-server.js';
import { WorldConfig, type TrunkMode } from './world.js';

export type { CustomerScenario, AgentBehaviour, TrunkMode, DtmfStep } from './world.js';
export type { RecordingScript } from './recordings.js';
export type { CallRecord } from './call-log.js';
export type { InboundCallSpec, InboundRecord } from './inbound.js';
export { SimWorld } from './control.js';

export interface SimulatorOptions {
  port?: number;
  host?: string;
  username?: string;
  password?: string;
  /** Real time per simulated time: 0.01 runs a 45 s ring timeout in 450 ms. */
  timeScale?: number;
  seed?: number;
  /** Extra random delay (seeded) on scripted answers and hangups, in simulated ms. Default 0. */
  jitterMs?: number;
  trunkMode?: TrunkMode;
  /** Emit ChannelVarset / ChannelDialplan chatter like Asterisk (default true). */
  noise?: boolean;
  /**
   * Real ms after start during which the simulator is "not booted yet", as a restarting Asterisk: every /ari
   * request answers 503 {"message":"Asterisk not booted"}, the events WebSocket is refused with 503. Default 0.
   */
  bootMs?: number;
  /** Answer ARI REST requests sent over the events WebSocket (Asterisk 22.4+); false = an older Asterisk. Default true. */
  restOverWebSocket?: boolean;
  /** Asterisk's spool dir: recordings are written as `<spoolDir>/recording/<name>.wav` (silence). Unset = no files. */
  spoolDir?: string;
  /** Suggested Stasis app name, handed back for convenience. */
  app?: string;
}

export interface Simulator {
  url: string;
  username: string;
  password: string;
  app?: string;
  world: SimWorld;
  stop(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const username = opts.username ?? 'asterisk';
  const password = opts.password ?? 'asterisk';
  const host = opts.host ?? '127.0.0.1';
  const world = new WorldConfig();
  if (opts.trunkMode) world.trunkMode = opts.trunkMode;
  world.jitterMs = opts.jitterMs ?? 0;
  world.noise = opts.noise ?? true;
  world.spoolDir = opts.spoolDir;
  const engine = new Engine(createClock(opts.timeScale ?? 1, opts.seed ?? 1), world);
  const ctx = createContext(engine);
  const simWorld = new SimWorld(ctx);
  const bootUntil = opts.bootMs ? Date.now() + opts.bootMs : undefined;
  const server = createSimServer(ctx, { username, password, bootUntil, restOverWebSocket: opts.restOverWebSocket ?? true }, controlHandler(simWorld));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    username,
    password,
    app: opts.app,
    world: simWorld,
    stop: () =>
      new Promise<void>((resolve) => {
        engine.clock.cancelAll();
        simWorld.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
