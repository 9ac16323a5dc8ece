/** The channel object as ARI serialises it, plus the simulator's bookkeeping for it. */
import { asteriskTime } from './events.js';

export type ChannelState = 'Down' | 'Ring' | 'Ringing' | 'Up' | 'Busy';

export interface DialplanLoc {
  context: string;
  exten: string;
  priority: number;
  app_name: string;
  app_data: string;
}

export class SimChannel {
  state: ChannelState = 'Down';
  caller = { name: '', number: '' };
  connected = { name: '', number: '' };
  readonly creationtime = asteriskTime();
  readonly vars = new Map<string, string>();
  /** Stasis app the channel currently sits in, if any. */
  stasisApp: string | undefined;
  stasisArgs: string[] = [];
  bridgeId: string | undefined;
  alive = true;
  /** Other half of a Local channel pair (;1 ↔ ;2). */
  partner: SimChannel | undefined;
  /** Channel bridged to this one outside ARI (queue member, Dial inside the dialplan). */
  linked: SimChannel | undefined;
  /** Cancels pending scripted behaviour (answer, DTMF, hangup timers). */
  readonly cancels = new Set<() => void>();
  /** Called once when the channel is destroyed (call log, queues, device states). */
  readonly onDestroy: Array<(cause: number) => void> = [];
  linkedid: string;
  /** Set when the channel is a Local ;1/;2 whose ;2 runs scripted dialplan. */
  dialplan: DialplanLoc;
  readonly callid: string;

  constructor(
    readonly id: string,
    readonly name: string,
    dialplan: DialplanLoc,
    callSeq: number,
  ) {
    this.dialplan = dialplan;
    this.linkedid = id;
    this.callid = `[C-${callSeq.toString(16).padStart(8, '0')}]`;
  }

  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      name: this.name,
      state: this.state,
      protocol_id: '',
      caller: { ...this.caller },
      connected: { ...this.connected },
      accountcode: '',
      dialplan: { ...this.dialplan },
      creationtime: this.creationtime,
      language: 'en',
    };
  }

  cancelScript(): void {
    for (const c of this.cancels) c();
    this.cancels.clear();
  }
}
