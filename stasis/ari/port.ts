/**
 * The narrow, typed port through which call logic talks to Asterisk. Call logic never touches
 * ari-client; the adapter (stasis/ari/ari-client-port.ts) implements this over HTTP + WebSocket.
 *
 * A channel that no longer exists is a typed outcome ({ok:false, error:'gone'}), never an exception
 * matched by message text. Operations never throw for Asterisk-side failures.
 */

export interface AriChannel {
  id: string;
  name: string;
  state: string; // Down Rsrved OffHook Dialing Ring Ringing Up Busy …
  caller?: { name: string; number: string };
  connected?: { name: string; number: string };
  /** app_name / app_data: the application the channel runs now ("Stasis" / "<app>[,args]" while in an ARI app). */
  dialplan?: { context: string; exten: string; priority: number; app_name?: string; app_data?: string };
}

export interface AriPlayback {
  id: string;
  media_uri: string;
  target_uri: string; // "channel:<id>" | "bridge:<id>"
  state: string; // queued playing done failed …
}

/** A live recording (POST /channels/{id}/record): stored by Asterisk under spool/recording/<name>.<format>. */
export interface AriLiveRecording {
  name: string;
  format: string;
  state: string; // queued recording paused done failed canceled
  target_uri: string; // "channel:<id>"
  duration?: number;
  talking_duration?: number;
  silence_duration?: number;
  cause?: string;
}

export interface RecordRequest {
  name: string;
  format: string;
  maxDurationSeconds?: number;
  maxSilenceSeconds?: number;
  beep?: boolean;
  /** DTMF that ends the recording: none any * # */
  terminateOn?: 'none' | 'any' | '*' | '#';
  ifExists?: 'fail' | 'overwrite' | 'append';
}

export type AriEvent =
  | { type: 'StasisStart'; channel: AriChannel; args: string[] }
  | { type: 'StasisEnd'; channel: AriChannel }
  | { type: 'ChannelDestroyed'; channel: AriChannel; cause: number; cause_txt: string }
  | { type: 'ChannelHangupRequest'; channel: AriChannel; cause?: number; soft?: boolean }
  | { type: 'ChannelStateChange'; channel: AriChannel }
  | { type: 'ChannelDtmfReceived'; channel: AriChannel; digit: string; duration_ms: number }
  | { type: 'Dial'; peer: AriChannel; caller?: AriChannel; dialstatus: string; dialstring?: string }
  | { type: 'PlaybackStarted' | 'PlaybackContinuing' | 'PlaybackFinished'; playback: AriPlayback }
  | { type: 'ChannelEnteredBridge' | 'ChannelLeftBridge'; bridge: { id: string }; channel: AriChannel }
  | { type: 'BridgeDestroyed'; bridge: { id: string } }
  | { type: 'DeviceStateChanged'; device_state: { name: string; state: string } }
  | { type: 'ChannelVarset'; channel?: AriChannel; variable: string; value: string }
  | { type: 'RecordingStarted' | 'RecordingFinished' | 'RecordingFailed'; recording: AriLiveRecording }
  /** TALK_DETECT(set) on a channel: talking began / ended (duration = ms of talk). */
  | { type: 'ChannelTalkingStarted'; channel: AriChannel }
  | { type: 'ChannelTalkingFinished'; channel: AriChannel; duration: number };

export type AriEventType = AriEvent['type'];

export type AriResult<T = void> =
  | { ok: true; value: T }
  | { ok: false; error: 'gone' } // 404 on a channel / bridge / playback that does not exist (any more)
  // other HTTP errors, transport down. status 0 = no HTTP answer; notSent = Asterisk provably did not act on
  // the request (connection refused, or not ready: booting / shutting down), so e.g. an originate can safely
  // be tried again later.
  | { ok: false; error: 'failed'; status: number; message: string; notSent?: boolean };

export interface OriginateRequest {
  channelId: string; // chosen by us and stored before the request
  endpoint: string;
  callerId?: string;
  timeoutSec: number;
  variables?: Record<string, string>;
  appArgs?: string;
  /** Media format capabilities of the new channel ("slin,ulaw"); absent = Asterisk's choice. */
  formats?: string;
}

export type HangupReason = 'normal' | 'busy' | 'congestion' | 'no_answer';

export interface AriPort {
  readonly app: string;
  /** How REST requests travel now: over the event WebSocket (Asterisk 22.4+) or HTTP. */
  readonly restTransport?: 'websocket' | 'http';
  originate(req: OriginateRequest): Promise<AriResult<AriChannel>>;
  /** POST /channels/create: a channel in our app that is never dialed (e.g. a utility channel for functions). */
  createChannel(req: { channelId: string; endpoint: string }): Promise<AriResult<AriChannel>>;
  hangup(channelId: string, reason?: HangupReason): Promise<AriResult>;
  answer(channelId: string): Promise<AriResult>;
  /** Play one or more media URIs ("sound:/abs/path", no extension) under a playback id chosen by us. */
  play(channelId: string, playbackId: string, media: string[]): Promise<AriResult>;
  stopPlayback(playbackId: string): Promise<AriResult>;
  /** Record what the channel hears from its far end; RecordingFinished / RecordingFailed say how it ended. */
  record(channelId: string, req: RecordRequest): Promise<AriResult<AriLiveRecording>>;
  /** Stop a live recording and keep what was recorded. */
  stopRecording(name: string): Promise<AriResult>;
  /** Read a variable or evaluate a dialplan function (CHANNEL(linkedid), QUEUE_MEMBER(…)) on a channel. */
  getVariable(channelId: string, variable: string): Promise<AriResult<string>>;
  setVariable(channelId: string, variable: string, value: string): Promise<AriResult>;
  continueInDialplan(channelId: string, to: { context: string; extension: string; priority: number }): Promise<AriResult>;
  createBridge(bridgeId: string, type: 'mixing' | 'holding'): Promise<AriResult>;
  addToBridge(bridgeId: string, channelIds: string[]): Promise<AriResult>;
  destroyBridge(bridgeId: string): Promise<AriResult>;
  getChannel(channelId: string): Promise<AriResult<AriChannel>>;
  listChannels(): Promise<AriResult<AriChannel[]>>;
  /** Subscribe the app to device-state events (e.g. "deviceState:PJSIP/201"). */
  subscribe(eventSources: string[]): Promise<AriResult>;
  onEvent(listener: (event: AriEvent) => void): () => void;
  onConnection(listener: (state: 'connected' | 'disconnected') => void): () => void;
  close(): Promise<void>;
}

/** Channel ids an event concerns, for routing it to call sessions. */
export function channelIdsOf(e: AriEvent): string[] {
  switch (e.type) {
    case 'Dial':
      return [e.peer.id];
    case 'PlaybackStarted':
    case 'PlaybackContinuing':
    case 'PlaybackFinished':
      return e.playback.target_uri.startsWith('channel:') ? [e.playback.target_uri.slice(8)] : [];
    case 'RecordingStarted':
    case 'RecordingFinished':
    case 'RecordingFailed':
      return e.recording.target_uri.startsWith('channel:') ? [e.recording.target_uri.slice(8)] : [];
    case 'BridgeDestroyed':
    case 'DeviceStateChanged':
      return [];
    case 'ChannelVarset':
      return e.channel ? [e.channel.id] : [];
    default:
      return [e.channel.id];
  }
}
