/** Everything a route handler can reach. */
import { Bridges } from './bridges.js';
import type { CallHooks } from './calls.js';
import { Devices } from './devices.js';
import type { Engine } from './engine.js';
import { legOf } from './leg.js';
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
    runDialplan: (ch, context, exten, priority) => {
      ch.dialplan = { context, exten, priority, app_name: '', app_data: '' };
      if (context === 'dialer-queue' && ['9000', '9001'].includes(exten)) {
        ch.dialplan = { ...ch.dialplan, app_name: 'Queue', app_data: `${exten},t,,,120` };
        const leg = legOf(ch);
        queues.enter(exten, ch, {
          onAnswer: () => undefined,
          onHangup: (cause) => (leg && leg.ch1 === ch ? leg.remoteHangup(cause) : engine.destroy(ch, cause)),
        });
      }
      // Any other place in the dialplan: the call stays up until one side hangs up.
    },
  };
  queues.hooks = hooks;
  return {
    engine, hooks, playbacks: new Playbacks(engine), bridges: new Bridges(engine), devices, queues, recordings: new Recordings(engine),
  };
}
