import type { AriChannel, AriEvent, AriLiveRecording, AriPort, AriResult, OriginateRequest } from '../../stasis/ari/port.js';

/**
 * In-memory AriPort for fast flow tests: customers by last digit (a subset of observed.md §1, times in
 * real ms), agents 201–204 (204 busy), and the event orders a real Asterisk gives for a Local originate.
 */
type Chan = AriChannel & { timers: NodeJS.Timeout[]; bridged?: string };

export class FakeAri implements AriPort {
  readonly app = 'fake';
  readonly channels = new Map<string, Chan>();
  readonly originated: { id: string; endpoint: string; at: number; endedAt?: number }[] = [];
  readonly agentBusy = new Set<string>(['204']);
  /** Agents that look free but answer Busy when rung (like 204 in queue 9000). */
  readonly agentRejects = new Set<string>();
  refuse = false;
  /** Answer originates with this HTTP failure without creating a channel (status 0 = no answer at all). */
  failWith: number | undefined;
  private listeners = new Set<(e: AriEvent) => void>();
  private conn = new Set<(s: 'connected' | 'disconnected') => void>();

  constructor(private readonly unit = 10) {}

  /** Latency (ms) of variable reads: the value is taken when asked and delivered this much later. */
  varDelayMs = 0;
  /** Agents that hang up this many units after answering. */
  readonly agentTalkUnits = new Map<string, number>();
  /** Delay (ms) of DeviceStateChanged events, to model them lagging behind the calls. */
  deviceEventDelayMs = 0;
  /** Legs whose originate gets no HTTP answer (status 0, a timeout) but is carried out 5 units later. */
  readonly loseAnswerOf = new Set<'agent' | 'customer'>();
  /** createBridge answers with this HTTP failure. */
  failBridgeWith: number | undefined;
  /** Delay (ms) before an originate is handled and answered (a slow Asterisk / HTTP round trip). */
  originateDelayMs = 0;
  /** While false the event socket is "down": events are lost, as they are on a real reconnect. */
  private socketUp = true;
  /** Drop or restore the event socket and tell the app, as the port's onConnection would. */
  setConnection(s: 'connected' | 'disconnected') {
    this.socketUp = s === 'connected';
    this.conn.forEach((l) => l(s));
  }
  private emit(e: AriEvent) {
    const send = () => {
      if (this.socketUp) this.listeners.forEach((l) => l(e));
    };
    if (e.type === 'DeviceStateChanged' && this.deviceEventDelayMs) setTimeout(send, this.deviceEventDelayMs);
    else queueMicrotask(send);
  }
  private at(c: Chan, ms: number, fn: () => void) {
    c.timers.push(setTimeout(fn, ms * this.unit));
  }
  private destroy(c: Chan, cause: number, txt = '') {
    if (!this.channels.has(c.id)) return;
    c.timers.forEach(clearTimeout);
    this.channels.delete(c.id);
    const o = this.originated.find((x) => x.id === c.id);
    if (o) o.endedAt = Date.now();
    if (c.state === 'Up') this.emit({ type: 'StasisEnd', channel: c });
    this.emit({ type: 'ChannelDestroyed', channel: c, cause, cause_txt: txt });
    if (c.name.startsWith('agent') && !this.agentBusy.has(c.name.slice(5))) {
      this.emit({ type: 'DeviceStateChanged', device_state: { name: `PJSIP/${c.name.slice(5)}`, state: 'NOT_INUSE' } });
    }
    if (c.bridged) {
      const other = [...this.channels.values()].find((x) => x.bridged === c.bridged);
      if (other) other.bridged = undefined;
    }
  }
  private pickUp(c: Chan) {
    c.state = 'Up';
    this.emit({ type: 'Dial', peer: c, dialstatus: 'ANSWER' });
    this.emit({ type: 'StasisStart', channel: c, args: [] });
  }
  busyAgents(): number {
    return [...this.channels.values()].filter((c) => c.name.startsWith('agent')).length;
  }

  async originate(req: OriginateRequest): Promise<AriResult<AriChannel>> {
    if (this.originateDelayMs) await new Promise((r) => setTimeout(r, this.originateDelayMs));
    const leg = req.endpoint.includes('@internal') ? 'agent' : 'customer';
    if (this.loseAnswerOf.has(leg)) {
      // The request times out on our side; the slow Asterisk carries it out a little later.
      setTimeout(() => void this.doOriginate(req), 5 * this.unit);
      return { ok: false, error: 'failed', status: 0, message: 'UND_ERR_HEADERS_TIMEOUT' };
    }
    return this.doOriginate(req);
  }
  private async doOriginate(req: OriginateRequest): Promise<AriResult<AriChannel>> {
    if (this.refuse) return { ok: false, error: 'failed', status: 0, message: 'ECONNREFUSED', notSent: true };
    if (this.failWith !== undefined) {
      this.originated.push({ id: req.channelId, endpoint: req.endpoint, at: Date.now() });
      return { ok: false, error: 'failed', status: this.failWith, message: this.failWith ? 'Allocation failed' : 'UND_ERR_HEADERS_TIMEOUT' };
    }
    const c: Chan = { id: req.channelId, name: '', state: 'Down', timers: [] };
    const m = /^Local\/(\w+)@(\w+)/.exec(req.endpoint);
    const exten = m?.[1] ?? '';
    this.channels.set(c.id, c);
    this.originated.push({ id: c.id, endpoint: req.endpoint, at: Date.now() });
    if (m?.[2] === 'internal') {
      c.name = `agent${exten}`;
      this.emit({ type: 'Dial', peer: c, dialstatus: '' });
      this.emit({ type: 'DeviceStateChanged', device_state: { name: `PJSIP/${exten}`, state: 'RINGING' } });
      if (this.agentBusy.has(exten) || this.agentRejects.has(exten)) {
        this.emit({ type: 'Dial', peer: c, dialstatus: 'BUSY' });
        queueMicrotask(() => this.destroy(c, 0, 'Unknown'));
      } else {
        this.at(c, 5, () => this.pickUp(c));
        const talk = this.agentTalkUnits.get(exten);
        if (talk !== undefined) this.at(c, 5 + talk, () => this.destroy(c, 16, 'Normal Clearing'));
      }
      return { ok: true, value: c };
    }
    c.name = `customer${exten}`;
    const digit = exten.at(-1);
    if (!/^\d+$/.test(exten)) {
      this.destroy(c, 0, 'Unknown');
      return { ok: true, value: c };
    }
    this.emit({ type: 'Dial', peer: c, dialstatus: '' });
    switch (digit) {
      case '2':
        this.emit({ type: 'Dial', peer: c, dialstatus: 'BUSY' });
        queueMicrotask(() => this.destroy(c, 0, 'Unknown'));
        break;
      case '3':
        this.at(c, req.timeoutSec, () => this.destroy(c, 19, 'User alerting, no answer'));
        break;
      case '4':
        this.emit({ type: 'Dial', peer: c, dialstatus: 'CONGESTION' });
        queueMicrotask(() => this.destroy(c, 0, 'Unknown'));
        break;
      case '5':
        this.pickUp(c);
        this.at(c, 1, () => this.destroy(c, 16, 'Normal Clearing'));
        break;
      case '8':
        this.emit({ type: 'Dial', peer: c, dialstatus: 'NOANSWER' });
        queueMicrotask(() => this.destroy(c, 1, 'Unallocated (unassigned) number'));
        break;
      default: // 7 and others: ring 3, answer, stay 60
        this.at(c, 3, () => this.pickUp(c));
        this.at(c, 63, () => this.destroy(c, 16, 'Normal Clearing'));
    }
    return { ok: true, value: c };
  }
  async createChannel(req: { channelId: string; endpoint: string }): Promise<AriResult<AriChannel>> {
    // as on Asterisk, a created channel sits in our Stasis app and its dialplan location says so
    const c: Chan = { id: req.channelId, name: 'util', state: 'Down', timers: [], dialplan: { context: 'dialer-misc', exten: 'echo', priority: 1, app_name: 'Stasis', app_data: this.app } };
    this.channels.set(c.id, c);
    return { ok: true, value: c };
  }
  async hangup(id: string): Promise<AriResult> {
    const c = this.channels.get(id);
    if (!c) return { ok: false, error: 'gone' };
    if (c.state !== 'Up') this.emit({ type: 'Dial', peer: c, dialstatus: 'NOANSWER' });
    this.destroy(c, 16, 'Normal Clearing');
    return { ok: true, value: undefined };
  }
  async getVariable(id: string, v: string): Promise<AriResult<string>> {
    const r = this.readVariable(id, v);
    if (this.varDelayMs) await new Promise((res) => setTimeout(res, this.varDelayMs));
    return r;
  }
  /** Variable reads on channels matching this fail with HTTP 500 (e.g. a slow or overloaded Asterisk). */
  failReadsOn: ((channelId: string) => boolean) | undefined;
  private readVariable(id: string, v: string): AriResult<string> {
    if (this.failReadsOn?.(id)) return { ok: false, error: 'failed', status: 500, message: 'Internal Server Error' };
    if (!this.channels.has(id)) return { ok: false, error: 'gone' };
    const dev = /^DEVICE_STATE\(PJSIP\/(\d+)\)$/.exec(v);
    if (dev) {
      const inUse = [...this.channels.values()].some((c) => c.name === `agent${dev[1]}`);
      return { ok: true, value: inUse ? 'INUSE' : this.agentBusy.has(dev[1]!) ? 'BUSY' : 'NOT_INUSE' };
    }
    if (/^QUEUE_MEMBER\(\d+,free\)$/.test(v)) return { ok: true, value: String(Math.max(0, 3 - this.busyAgents())) };
    if (v === 'CHANNEL(linkedid)') return { ok: true, value: `linked-${id}` };
    if (v === 'CHANNEL(callid)') return { ok: true, value: '' };
    return { ok: true, value: '' };
  }
  async createBridge(): Promise<AriResult> {
    if (this.failBridgeWith !== undefined) return { ok: false, error: 'failed', status: this.failBridgeWith, message: 'Internal Server Error' };
    return { ok: true, value: undefined };
  }
  async addToBridge(bridgeId: string, ids: string[]): Promise<AriResult> {
    for (const id of ids) {
      const c = this.channels.get(id);
      if (c) c.bridged = bridgeId;
    }
    return { ok: true, value: undefined };
  }
  async destroyBridge(): Promise<AriResult> {
    return { ok: true, value: undefined };
  }
  /** getChannel gets no answer (status 0). */
  failGetChannel = false;
  async getChannel(id: string): Promise<AriResult<AriChannel>> {
    if (this.failGetChannel) return { ok: false, error: 'failed', status: 0, message: 'UND_ERR_HEADERS_TIMEOUT' };
    const c = this.channels.get(id);
    return c ? { ok: true, value: c } : { ok: false, error: 'gone' };
  }
  /** The next this many listChannels requests fail with no answer. */
  failListChannels = 0;
  async listChannels(): Promise<AriResult<AriChannel[]>> {
    if (this.failListChannels > 0) {
      this.failListChannels--;
      return { ok: false, error: 'failed', status: 0, message: 'UND_ERR_HEADERS_TIMEOUT' };
    }
    return { ok: true, value: [...this.channels.values()] };
  }
  /** Change an agent's device state and tell the app, as Asterisk would. */
  setAgent(exten: string, busy: boolean) {
    if (busy) this.agentBusy.add(exten);
    else this.agentBusy.delete(exten);
    this.emit({ type: 'DeviceStateChanged', device_state: { name: `PJSIP/${exten}`, state: busy ? 'BUSY' : 'NOT_INUSE' } });
  }
  /** Drop a call as the far end would. */
  remoteHangup(id: string) {
    const c = this.channels.get(id);
    if (c) this.destroy(c, 16, 'Normal Clearing');
  }
  async subscribe(): Promise<AriResult> {
    return { ok: true, value: undefined };
  }
  answerCall = async (): Promise<AriResult> => ({ ok: true, value: undefined });
  answer = this.answerCall;
  play = this.answerCall;
  stopPlayback = this.answerCall;
  stopRecording = this.answerCall;
  record = async (): Promise<AriResult<AriLiveRecording>> => ({ ok: false, error: 'failed', status: 501, message: 'recordings are not modelled by this fake' });
  setVariable = this.answerCall;
  continueInDialplan = this.answerCall;
  onEvent(l: (e: AriEvent) => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  onConnection(l: (s: 'connected' | 'disconnected') => void) {
    this.conn.add(l);
    return () => this.conn.delete(l);
  }
  async close() {}
}
