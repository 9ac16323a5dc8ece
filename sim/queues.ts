/**
 * Queue(900x,t,,,120): rings one free member at a time (rrmemory, 15 s per member, retry 1 s),
 * bridges the caller with the first agent that answers. Dial events name the caller, so an app
 * subscribed to the caller (an originated customer) sees the queue ringing agents (observed.md F1).
 */
import type { CallHooks } from './calls.js';
import type { SimChannel } from './channel.js';
import type { Devices } from './devices.js';
import type { Engine } from './engine.js';
import type { Leg, LegOptions } from './leg.js';
import { agentScenario } from './world.js';

const MEMBER_TIMEOUT_MS = 15_000;
const RETRY_MS = 1000;
const QUEUE_TIMEOUT_MS = 120_000;

export interface QueueCallbacks {
  onAnswer(): void;
  /** The queue or the agent ended the call: hang the caller up with this cause. */
  onHangup(cause: number): void;
}

export class Queues {
  hooks: CallHooks | undefined;
  private readonly cursor = new Map<string, number>();

  constructor(
    private readonly engine: Engine,
    private readonly devices: Devices,
  ) {}

  /** Local/900x@internal: the ;2 half waits in the queue; the dialer's ;1 answers with the agent. */
  attachLeg(queue: string, leg: Leg): void {
    leg.startCustom = () => {
      const caller = leg.ch2 ?? leg.ch1;
      this.enter(queue, caller, { onAnswer: () => leg.answer(), onHangup: (c) => leg.remoteHangup(c) });
    };
  }

  enter(queue: string, caller: SimChannel, cb: QueueCallbacks): void {
    const engine = this.engine;
    let done = false;
    engine.schedule(caller, QUEUE_TIMEOUT_MS, () => {
      if (done) return;
      done = true;
      cb.onHangup(16);
    });
    const tryNext = (): void => {
      if (done || !caller.alive) return;
      const members = this.devices.queues.get(queue) ?? [];
      const start = ((this.cursor.get(queue) ?? -1) + 1) % Math.max(1, members.length);
      for (let i = 0; i < members.length; i++) {
        const idx = (start + i) % members.length;
        const m = members[idx]!;
        if (!this.devices.memberFree(m)) continue;
        this.cursor.set(queue, idx);
        return ringMember(m.ext);
      }
      engine.schedule(caller, RETRY_MS, tryNext);
    };
    const ringMember = (ext: string): void => {
      const behaviour = engine.world.agents.get(ext);
      if (!behaviour) return void engine.schedule(caller, RETRY_MS, tryNext);
      const suffix = engine.localSuffix();
      const loc = { context: 'test-agents', exten: ext, priority: 1 };
      const a1 = engine.newChannel(engine.uniqueId(), `Local/${ext}@test-agents-${suffix};1`, {
        ...loc, exten: queue, app_name: 'AppQueue', app_data: '(Outgoing Line)',
      });
      const a2 = engine.newChannel(engine.uniqueId(), `Local/${ext}@test-agents-${suffix};2`, { ...loc, app_name: 'Wait', app_data: '' });
      a1.linkedid = a2.linkedid = caller.linkedid;
      a1.caller = a2.caller = { ...caller.caller };
      const opts = { onRinging: undefined, onAnswer: undefined, onEnd: undefined } as unknown as LegOptions;
      this.devices.trackAgentLeg(ext, opts);
      a1.onDestroy.push(() => opts.onEnd?.());
      const dropAgent = (cause: number) => {
        engine.destroy(a1, cause);
        engine.destroy(a2, cause);
      };
      const callerGone = () => dropAgent(16);
      caller.onDestroy.push(callerGone);
      const next = () => {
        caller.onDestroy.splice(caller.onDestroy.indexOf(callerGone), 1);
        engine.schedule(caller, RETRY_MS, tryNext);
      };
      engine.dial(a1, '', caller);
      const s = agentScenario(behaviour);
      if (s.kind === 'busy' || s.kind === 'providerDown') {
        engine.dial(a1, s.kind === 'busy' ? 'BUSY' : 'CHANUNAVAIL', caller);
        dropAgent(s.kind === 'busy' ? 17 : 38);
        return next();
      }
      engine.setState(a1, 'Ringing');
      engine.dial(a1, 'RINGING', caller);
      opts.onRinging?.();
      const answerAt = s.kind === 'answer' ? (s.answerAfterMs ?? 0) : Infinity;
      if (answerAt >= MEMBER_TIMEOUT_MS) {
        engine.schedule(a1, MEMBER_TIMEOUT_MS, () => {
          engine.dial(a1, 'NOANSWER', caller);
          dropAgent(16);
          next();
        });
        return;
      }
      engine.schedule(a1, answerAt, () => {
        if (done || !caller.alive) return dropAgent(16);
        done = true;
        engine.setState(a2, 'Up');
        engine.setState(a1, 'Up');
        engine.dial(a1, 'ANSWER', caller);
        opts.onAnswer?.();
        caller.linked = a1;
        cb.onAnswer();
        // Bridged by the queue: when the agent's side goes (its script or an ARI DELETE), so does the caller.
        a1.onDestroy.push(() => {
          engine.destroy(a2, 16);
          if (caller.alive) cb.onHangup(16);
        });
        const hangupAfter = s.kind === 'answer' ? (s.hangupAfterMs ?? 600_000) : 600_000;
        engine.schedule(a1, hangupAfter, () => {
          engine.hangupRequest(a2, 16, true);
          dropAgent(16);
        });
      });
    };
    tryNext();
  }
}
