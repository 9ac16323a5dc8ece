import ariClient from 'ari-client';
import type { Logger } from '../../src/logger.js';
import type { AriChannel, AriEvent, AriLiveRecording, AriPort, AriResult, HangupReason, OriginateRequest, RecordRequest } from './port.js';
import { createAriHttp, type AriHttp } from './ari-http.js';
import { WsRest } from './ari-ws-rest.js';

/**
 * AriPort over the real ari-client.
 *
 * ari-client does what it is good at: it loads Asterisk's API description (which checks the address and the
 * credentials) and owns the event WebSocket (connect, ping, reconnect); we read its JSON frames directly. REST requests go through our own small HTTP
 * layer (ari-http.ts) because ari-client's swagger-client/shred transport loses the HTTP status of errors
 * (so a 404 could only be recognised by message text) and never settles when the connection is refused
 * (so "the originate provably never left" could not be told apart from a hang).
 *
 * Reconnects by itself: ari-client retries the WebSocket 10 times (about 40 s); after that we build a new
 * client with our own capped backoff, forever, until close().
 */
export interface ConnectAriOptions {
  url: string;
  username: string;
  password: string;
  app: string;
  log: Logger;
  /** Per-request timeout for REST calls (ms). */
  requestTimeoutMs?: number;
}

type Client = Awaited<ReturnType<typeof ariClient.connect>>;

export async function connectAri(opts: ConnectAriOptions): Promise<AriPort> {
  const port = new AriClientPort(opts);
  await port.firstConnect();
  return port;
}

const SWAGGER_NOISE = 'deprecated version of Swagger';

/** ari-client's swagger-client prints a deprecation notice on stdout at every connect; keep it out of our logs. */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const original = console.log;
  console.log = (...args: unknown[]) => {
    if (args.some((a) => String(a).includes(SWAGGER_NOISE))) return;
    original(...args);
  };
  try {
    return await fn();
  } finally {
    console.log = original;
  }
}

class AriClientPort implements AriPort {
  readonly app: string;
  private readonly http: AriHttp;
  private readonly wsRest: WsRest;
  private rest: 'websocket' | 'http' = 'http';
  private readonly log: Logger;
  private client: Client | undefined;
  private connected = false;
  private closed = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly eventListeners = new Set<(e: AriEvent) => void>();
  private readonly connListeners = new Set<(s: 'connected' | 'disconnected') => void>();

  constructor(private readonly opts: ConnectAriOptions) {
    this.app = opts.app;
    this.log = opts.log.child({ component: 'ari' });
    this.http = createAriHttp({
      url: opts.url,
      username: opts.username,
      password: opts.password,
      timeoutMs: opts.requestTimeoutMs ?? 10_000,
    });
    this.wsRest = new WsRest(opts.requestTimeoutMs ?? 10_000);
  }

  /** First attempt is awaited so a wrong address or password shows up at start; later ones run in the background. */
  async firstConnect(): Promise<void> {
    const ok = await this.attempt();
    if (!ok) this.scheduleRetry(500);
  }

  private async attempt(): Promise<boolean> {
    if (this.closed) return false;
    try {
      const client = await quietly(() => ariClient.connect(this.opts.url, this.opts.username, this.opts.password));
      if (this.closed) return false;
      // ari-client turns every event into resource objects carrying all API operations before emitting it,
      // which dominates CPU and GC with many calls. We read the JSON frames of ari-client's own socket
      // instead (it still owns connecting, pinging and reconnecting), re-attached on every (re)connect.
      const takeOverMessages = () => {
        const ws = (client as unknown as { _ws?: import('ws').WebSocket })._ws;
        if (!ws) return;
        ws.removeAllListeners('message');
        ws.on('message', (data) => {
          try {
            const m = JSON.parse(data.toString()) as AriEvent;
            if (!this.wsRest.take(m as { type: string })) this.deliver(m);
          } catch (err) {
            this.log.warn({ err }, 'unreadable ARI event');
          }
        });
        this.wsRest.attach(ws);
      };
      (client as unknown as NodeJS.EventEmitter).on('WebSocketConnected', () => {
        takeOverMessages();
        void this.chooseTransport().then(() => this.filterNoise());
        this.setConnected(true);
      });
      (client as unknown as NodeJS.EventEmitter).on('WebSocketReconnecting', () => this.setConnected(false));
      (client as unknown as NodeJS.EventEmitter).on('WebSocketMaxRetries', () => {
        this.setConnected(false);
        if (this.client === client) this.client = undefined;
        this.scheduleRetry(1000);
      });
      this.client = client;
      await client.start(this.app);
      takeOverMessages();
      await this.chooseTransport();
      await this.filterNoise();
      this.setConnected(true);
      return true;
    } catch (err) {
      this.log.warn({ err: String(err) }, 'ARI connect failed, will retry');
      this.setConnected(false);
      return false;
    }
  }

  /**
   * Ask Asterisk not to send the event types the dialer never reads: with Local channels they are about two
   * thirds of all events (ChannelVarset alone ~29 a call), costing JSON work on both sides. Re-applied on every
   * connect (a restarted Asterisk forgets it); an Asterisk without eventFilter (before 13.26/16.3) just sends
   * everything.
   */
  private async filterNoise(): Promise<void> {
    const r = await this.request<void>('PUT', `/applications/${enc(this.app)}/eventFilter`, undefined, {
      disallowed: NOISE_EVENTS.map((type) => ({ type })),
    });
    if (!r.ok) this.log.debug({ r }, 'event filter not applied; all events are received');
  }

  /**
   * REST over the event socket when this Asterisk answers it (a ping, asked on every connect: the PBX may have
   * been upgraded or downgraded meanwhile), HTTP otherwise.
   */
  private async chooseTransport(): Promise<void> {
    // An Asterisk without REST over WebSocket leaves the message unanswered: a short wait, then HTTP.
    const r = await this.wsRest.request<unknown>('GET', '/asterisk/ping', undefined, undefined, TRANSPORT_PROBE_MS);
    const next = r.ok ? 'websocket' : 'http';
    if (next !== this.rest) this.log.info({ transport: next }, 'ARI requests go over ' + (next === 'websocket' ? 'the event WebSocket' : 'HTTP'));
    this.rest = next;
  }

  get restTransport(): 'websocket' | 'http' {
    return this.rest === 'websocket' && this.wsRest.open ? 'websocket' : 'http';
  }

  /** One REST request, over the transport chosen at connect; HTTP while the event socket is not open. */
  private request<T>(method: string, path: string, query?: Record<string, string | number>, body?: unknown): Promise<AriResult<T>> {
    return this.restTransport === 'websocket' ? this.wsRest.request<T>(method, path, query, body) : this.http.request<T>(method, path, query, body);
  }

  private backoff = 500;
  private scheduleRetry(first: number) {
    if (this.closed || this.retryTimer) return;
    this.backoff = Math.max(first, Math.min(this.backoff * 2, 5000));
    this.retryTimer = setTimeout(async () => {
      this.retryTimer = undefined;
      if (!(await this.attempt())) this.scheduleRetry(this.backoff);
      else this.backoff = 500;
    }, this.backoff);
    this.retryTimer.unref?.();
  }

  private setConnected(up: boolean) {
    if (this.connected === up || this.closed) return;
    this.connected = up;
    this.log.info({ app: this.app }, up ? 'ARI connected' : 'ARI disconnected');
    for (const l of [...this.connListeners]) l(up ? 'connected' : 'disconnected');
  }

  private deliver(e: AriEvent) {
    if ((e as { type: string }).type === 'ApplicationReplaced') {
      // Another client connected with our app name: Asterisk now sends it our events. Do not fight over the
      // app (each reconnect would replace the other); stop acting until our socket reconnects.
      this.log.error({ app: this.app }, 'ARI app taken over by another connection; this one receives no more events');
      this.setConnected(false);
      return;
    }
    for (const l of this.eventListeners) {
      try {
        l(e);
      } catch (err) {
        this.log.error({ err, type: e.type }, 'ARI event listener failed');
      }
    }
  }

  originate(req: OriginateRequest): Promise<AriResult<AriChannel>> {
    const q: Record<string, string | number> = {
      endpoint: req.endpoint,
      app: this.app,
      channelId: req.channelId,
      timeout: req.timeoutSec,
    };
    if (req.callerId) q.callerId = req.callerId;
    if (req.appArgs) q.appArgs = req.appArgs;
    if (req.formats) q.formats = req.formats;
    return this.request<AriChannel>('POST', '/channels', q, req.variables ? { variables: req.variables } : undefined);
  }
  createChannel(req: { channelId: string; endpoint: string }): Promise<AriResult<AriChannel>> {
    return this.request<AriChannel>('POST', '/channels/create', { ...req, app: this.app });
  }
  hangup(channelId: string, reason?: HangupReason): Promise<AriResult> {
    return this.request<void>('DELETE', `/channels/${enc(channelId)}`, reason ? { reason } : {});
  }
  answer(channelId: string): Promise<AriResult> {
    return this.request<void>('POST', `/channels/${enc(channelId)}/answer`);
  }
  play(channelId: string, playbackId: string, media: string[]): Promise<AriResult> {
    return this.request<void>('POST', `/channels/${enc(channelId)}/play/${enc(playbackId)}`, { media: media.join(',') });
  }
  stopPlayback(playbackId: string): Promise<AriResult> {
    return this.request<void>('DELETE', `/playbacks/${enc(playbackId)}`);
  }
  record(channelId: string, req: RecordRequest): Promise<AriResult<AriLiveRecording>> {
    const q: Record<string, string | number> = { name: req.name, format: req.format };
    if (req.maxDurationSeconds !== undefined) q.maxDurationSeconds = req.maxDurationSeconds;
    if (req.maxSilenceSeconds !== undefined) q.maxSilenceSeconds = req.maxSilenceSeconds;
    if (req.beep !== undefined) q.beep = String(req.beep);
    if (req.terminateOn) q.terminateOn = req.terminateOn;
    if (req.ifExists) q.ifExists = req.ifExists;
    return this.request<AriLiveRecording>('POST', `/channels/${enc(channelId)}/record`, q);
  }
  stopRecording(name: string): Promise<AriResult> {
    return this.request<void>('POST', `/recordings/live/${enc(name)}/stop`);
  }
  async getVariable(channelId: string, variable: string): Promise<AriResult<string>> {
    const r = await this.request<{ value: string }>('GET', `/channels/${enc(channelId)}/variable`, { variable });
    return r.ok ? { ok: true, value: r.value?.value ?? '' } : r;
  }
  setVariable(channelId: string, variable: string, value: string): Promise<AriResult> {
    return this.request<void>('POST', `/channels/${enc(channelId)}/variable`, { variable, value });
  }
  continueInDialplan(channelId: string, to: { context: string; extension: string; priority: number }): Promise<AriResult> {
    return this.request<void>('POST', `/channels/${enc(channelId)}/continue`, { ...to });
  }
  createBridge(bridgeId: string, type: 'mixing' | 'holding'): Promise<AriResult> {
    return this.request<void>('POST', `/bridges/${enc(bridgeId)}`, { type });
  }
  addToBridge(bridgeId: string, channelIds: string[]): Promise<AriResult> {
    return this.request<void>('POST', `/bridges/${enc(bridgeId)}/addChannel`, { channel: channelIds.join(',') });
  }
  destroyBridge(bridgeId: string): Promise<AriResult> {
    return this.request<void>('DELETE', `/bridges/${enc(bridgeId)}`);
  }
  getChannel(channelId: string): Promise<AriResult<AriChannel>> {
    return this.request<AriChannel>('GET', `/channels/${enc(channelId)}`);
  }
  listChannels(): Promise<AriResult<AriChannel[]>> {
    return this.request<AriChannel[]>('GET', '/channels');
  }
  subscribe(eventSources: string[]): Promise<AriResult> {
    return this.request<void>('POST', `/applications/${enc(this.app)}/subscription`, {
      eventSource: eventSources.join(','),
    });
  }
  onEvent(listener: (event: AriEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }
  onConnection(listener: (state: 'connected' | 'disconnected') => void): () => void {
    this.connListeners.add(listener);
    return () => this.connListeners.delete(listener);
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    try {
      this.client?.stop();
    } catch {
      // the socket may already be gone
    }
    this.client = undefined;
    this.wsRest.detach();
    this.connected = false;
    this.eventListeners.clear();
    this.connListeners.clear();
    this.http.close();
  }
}

const enc = encodeURIComponent;

/** How long the connect-time probe waits for a RESTResponse before settling on HTTP. */
const TRANSPORT_PROBE_MS = 2000;

/** Event types the dialer never reads (see filterNoise). */
const NOISE_EVENTS = ['ChannelVarset', 'ChannelDialplan', 'ChannelCallerId', 'ChannelConnectedLine'];
