/**
 * Device states (PJSIP/20X follow the agents' calls; Stasis:* set over ARI) and queue membership
 * (9000: member state = PJSIP device; 9001: state_interface Stasis:agent20X, UNKNOWN until PUT).
 */
import type { Engine } from './engine.js';
import { AriError } from './errors.js';
import type { LegOptions } from './leg.js';

export const DEVICE_STATES = ['UNKNOWN', 'NOT_INUSE', 'INUSE', 'BUSY', 'INVALID', 'UNAVAILABLE', 'RINGING', 'RINGINUSE', 'ONHOLD'];

export interface QueueMember {
  ext: string;
  iface: string;
  stateInterface: string;
  paused: boolean;
}

export class Devices {
  readonly stasisStates = new Map<string, string>();
  /** Live channels per agent extension: ringing or up. */
  private readonly agentCalls = new Map<string, Set<{ up: boolean }>>();
  private readonly lastState = new Map<string, string>();
  readonly queues = new Map<string, QueueMember[]>();

  constructor(private readonly engine: Engine) {
    const members = (withStasis: boolean) =>
      ['201', '202', '203', '204'].map((ext) => ({
        ext, iface: `Local/${ext}@test-agents`, stateInterface: withStasis ? `Stasis:agent${ext}` : `PJSIP/${ext}`, paused: false,
      }));
    this.queues.set('9000', members(false));
    this.queues.set('9001', members(true));
  }

  /** Current state of any device name. */
  state(name: string): string {
    if (name.startsWith('Stasis:')) return this.stasisStates.get(name) ?? 'UNKNOWN';
    const m = /^PJSIP\/(\d+)$/.exec(name);
    if (m) {
      const agent = this.engine.world.agents.get(m[1]!);
      if (!agent) return 'INVALID';
      if (agent.offline) return 'UNAVAILABLE';
      const calls = this.agentCalls.get(m[1]!);
      if (!calls || calls.size === 0) return 'NOT_INUSE';
      return [...calls].some((c) => c.up) ? 'INUSE' : 'RINGING';
    }
    // Local device state, as queue 9000 saw it on Asterisk: INUSE while any channel to the extension exists.
    const local = /^Local\/(\d+)@(test-agents|internal)$/.exec(name);
    if (local && this.engine.world.agents.has(local[1]!)) {
      return (this.agentCalls.get(local[1]!)?.size ?? 0) > 0 ? 'INUSE' : 'NOT_INUSE';
    }
    return 'UNKNOWN';
  }

  /** Emit DeviceStateChanged when a device's state differs from what was last announced. */
  refresh(name: string): void {
    const now = this.state(name);
    const before = this.lastState.get(name) ?? (name.startsWith('PJSIP/') ? 'NOT_INUSE' : 'UNKNOWN');
    this.lastState.set(name, now);
    if (now === before) return;
    this.engine.bus.emit({ type: 'DeviceStateChanged', device_state: { name, state: now } }, [`deviceState:${name}`]);
  }

  refreshAgents(): void {
    for (const ext of this.engine.world.agents.keys()) this.refresh(`PJSIP/${ext}`);
  }

  /** Attach device-state tracking to an agent's call leg. */
  trackAgentLeg(ext: string, opts: LegOptions): void {
    const call = { up: false };
    const set = this.agentCalls.get(ext) ?? new Set();
    this.agentCalls.set(ext, set);
    set.add(call);
    const dev = `PJSIP/${ext}`;
    const prevRinging = opts.onRinging;
    const prevAnswer = opts.onAnswer;
    const prevEnd = opts.onEnd;
    opts.onRinging = () => { prevRinging?.(); this.refresh(dev); };
    opts.onAnswer = () => { call.up = true; prevAnswer?.(); this.refresh(dev); };
    opts.onEnd = () => { set.delete(call); prevEnd?.(); this.refresh(dev); };
    this.refresh(dev);
  }

  put(name: string, state: string | undefined): void {
    if (!name.startsWith('Stasis:')) throw new AriError(409, 'Uncontrolled device specified');
    // Asterisk 22 answers an unknown state name with 500 "Unknown device" (not a 400).
    if (!state || !DEVICE_STATES.includes(state)) throw new AriError(500, 'Unknown device');
    this.stasisStates.set(name, state);
    this.refresh(name);
  }

  remove(name: string): void {
    if (!name.startsWith('Stasis:')) throw new AriError(409, 'Uncontrolled device specified');
    if (!this.stasisStates.delete(name)) throw new AriError(404, 'Device name is missing');
    // As on Asterisk, app_queue is not told: members keep the last state (observed.md §4.7).
  }

  memberState(m: QueueMember): string {
    if (m.stateInterface.startsWith('Stasis:') && !this.stasisStates.has(m.stateInterface)) {
      return this.lastState.get(m.stateInterface) ?? 'UNKNOWN';
    }
    return this.state(m.stateInterface);
  }

  memberFree(m: QueueMember): boolean {
    return !m.paused && this.memberState(m) === 'NOT_INUSE';
  }

  queueExists(queue: string): boolean {
    return this.queues.has(queue);
  }

  /** QUEUE_MEMBER(queue,option[,interface]) read. As app_queue: a queue that does not exist counts 0 (only logged). */
  queueMember(args: string[]): string {
    const [queue, option, iface] = args;
    const members = this.queues.get(queue ?? '');
    if (!members) return ['free', 'ready', 'logged', 'count'].includes(option ?? '') ? '0' : '';
    switch (option) {
      case 'free':
      case 'ready':
        return String(members.filter((m) => this.memberFree(m)).length);
      case 'logged':
        return String(members.filter((m) => !['UNAVAILABLE', 'INVALID'].includes(this.memberState(m))).length);
      case 'count':
        return String(members.length);
      case 'paused': {
        const m = members.find((x) => x.iface === iface);
        return m ? (m.paused ? '1' : '0') : '';
      }
      default:
        return '';
    }
  }

  /** QUEUE_MEMBER(queue,paused,interface)=value write. */
  setQueueMember(args: string[], value: string): void {
    const [queue, option, iface] = args;
    const m = this.queues.get(queue ?? '')?.find((x) => x.iface === iface);
    if (!m || option !== 'paused') throw new AriError(400, 'Unable to set QUEUE_MEMBER');
    m.paused = value === '1' || value === 'true';
  }

  /** EXTENSION_STATE(201@internal) */
  extensionState(arg: string): string {
    const ext = arg.split('@')[0] ?? '';
    const s = this.state(`PJSIP/${ext}`);
    const map: Record<string, string> = {
      NOT_INUSE: 'NOT_INUSE', INUSE: 'INUSE', RINGING: 'RINGING', UNAVAILABLE: 'UNAVAILABLE', INVALID: 'UNKNOWN',
    };
    return map[s] ?? 'UNKNOWN';
  }
}
