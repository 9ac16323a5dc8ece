/** Everything a route handler can reach. */
import { Bridges } from './bridges.js';
import type { CallHooks } from './calls.js';
import { Devices } from './devices.js';
import type { Engine } from './engine.js';
import { Playbacks } from './playbacks.js';
import { Queues } from './queues.js';
import { Recordings } from './recordings.js';

export interface SimContext {
  engine: Engine;
  hooks: CallHooks;
  playbacks: Playbacks;
  bridges: Bridges;
  devices: Devices;
  queues: Queues;
  recordings: Recordings;
}

export function createContext(engine: Engine): SimContext {
  const devices = new Devices(engine);
  const queues = new Queues(engine, devices);
  const hooks: CallHooks = {
    agentLeg: (ext, opts) => devices.trackAgentLeg(ext, opts),
    queueLeg: (queue, leg) => queues.attachLeg(queue, leg),
  };
  queues.hooks = hooks;
  return {
    engine, hooks, playbacks: new Playbacks(engine), bridges: new Bridges(engine), devices, queues, recordings: new Recordings(engine),
  };
}
