import type { AriChannel, AriEvent, AriLiveRecording, AriPort, AriResult, RecordRequest } from '../../stasis/ari/port.js';

/**
 * An in-memory AriPort for driving call logic from tests: records every command and lets the test
 * push events (DTMF, hangup). Playbacks behave as observed on Asterisk 22: PlaybackStarted, then
 * PlaybackFinished (state done) after the media's length, or state failed at once for a missing file.
 */
export interface FakeCommand {
  op: string;
  args: unknown[];
}

export interface FakeAriOptions {
  /** Real ms a media URI takes; 'failed' = Asterisk cannot play it; 'never' = no PlaybackFinished ever. */
  mediaMs?: (uri: string) => number | 'failed' | 'never';
  /**
   * Real ms a recording runs before Asterisk ends it (RecordingFinished, as at max duration / max silence);
   * 'failed' = RecordingFailed right after RecordingStarted; 'refused' = the record request answers HTTP 500;
   * 'never' (default) = only stopRecording or a hangup end it.
   */
  recordMs?: (req: RecordRequest) => number | 'failed' | 'refused' | 'never';
}

export interface FakeAri extends AriPort {
  commands: FakeCommand[];
  /** Media URIs played on a channel, in order. */
  played(channelId?: string): string[];
  emit(e: AriEvent): void;
  addChannel(id: string): AriChannel;
  press(channelId: string, digits: string): void;
  hangupRemote(channelId: string): void;
  /** Record requests, in order. */
  recordings: Array<{ channelId: string; req: RecordRequest }>;
  /** Called whenever a recording starts (after RecordingStarted). */
  onRecord?: (channelId: string, req: RecordRequest) => void;
  /** Called whenever a playback starts (after PlaybackStarted). */
  onPlay?: (channelId: string, uri: string, playbackId: string) => void;
  /** Originated channels answer at once (StasisStart), then this is called. */
  onAnswered?: (channelId: string, endpoint: string) => void;
}

export function createFakeAri(opts: FakeAriOptions = {}): FakeAri {
  const listeners = new Set<(e: AriEvent) => void>();
  const channels = new Map<string, AriChannel>();
  const playbacks = new Map<string, { channelId: string; uri: string; timer?: NodeJS.Timeout }>();
  const commands: FakeCommand[] = [];
  const mediaMs = opts.mediaMs ?? (() => 20);
  const recordMs = opts.recordMs ?? (() => 'never' as const);
  const live = new Map<string, { channelId: string; rec: AriLiveRecording; startedAt: number; timer?: NodeJS.Timeout }>();
  function endRecording(name: string, state: 'done' | 'failed') {
    const r = live.get(name);
    if (!r) return;
    clearTimeout(r.timer);
    live.delete(name);
    const recording = { ...r.rec, state, duration: Math.round((Date.now() - r.startedAt) / 1000) };
    emit({ type: state === 'done' ? 'RecordingFinished' : 'RecordingFailed', recording });
  }
  const ok = <T>(value: T): AriResult<T> => ({ ok: true, value });
  const gone: AriResult<never> = { ok: false, error: 'gone' };
  const record = (op: string, ...args: unknown[]) => commands.push({ op, args });

  function emit(e: AriEvent) {
    for (const l of [...listeners]) l(e);
  }
  function finish(id: string, state: 'done' | 'failed') {
    const pb = playbacks.get(id);
    if (!pb) return;
    clearTimeout(pb.timer);
    playbacks.delete(id);
    emit({ type: 'PlaybackFinished', playback: { id, media_uri: pb.uri, target_uri: `channel:${pb.channelId}`, state } });
  }

  const fake: FakeAri = {
    app: 'test',
    commands,
    recordings: [],
    played: (channelId) => commands.filter((c) => c.op === 'play' && (!channelId || c.args[0] === channelId)).flatMap((c) => c.args[2] as string[]),
    emit,
    addChannel(id) {
      const ch: AriChannel = { id, name: `Local/${id}`, state: 'Up' };
      channels.set(id, ch);
      return ch;
    },
    press(channelId, digits) {
      const channel = channels.get(channelId);
      if (!channel) return;
      for (const digit of digits) emit({ type: 'ChannelDtmfReceived', channel, digit, duration_ms: 100 });
    },
    hangupRemote(channelId) {
      const channel = channels.get(channelId);
      if (!channel) return;
      for (const [id, pb] of playbacks) if (pb.channelId === channelId) finish(id, 'failed');
      for (const [name, r] of live) if (r.channelId === channelId) endRecording(name, 'done'); // Asterisk keeps what was recorded
      channels.delete(channelId);
      emit({ type: 'ChannelHangupRequest', channel, cause: 16 });
      emit({ type: 'StasisEnd', channel });
      emit({ type: 'ChannelDestroyed', channel, cause: 16, cause_txt: 'Normal Clearing' });
    },
    async originate(req) {
      record('originate', req);
      const channel = fake.addChannel(req.channelId);
      setImmediate(() => {
        emit({ type: 'StasisStart', channel, args: [] });
        fake.onAnswered?.(req.channelId, req.endpoint);
      });
      return ok(channel);
    },
    async createChannel(req) {
      record('createChannel', req);
      return ok(fake.addChannel(req.channelId));
    },
    async hangup(channelId) {
      record('hangup', channelId);
      if (!channels.has(channelId)) return gone;
      fake.hangupRemote(channelId);
      return ok(undefined);
    },
    async answer(channelId) {
      record('answer', channelId);
      return channels.has(channelId) ? ok(undefined) : gone;
    },
    async play(channelId, playbackId, media) {
      record('play', channelId, playbackId, media);
      if (!channels.has(channelId)) return gone;
      const uri = media[0];
      playbacks.set(playbackId, { channelId, uri });
      // Events can race the HTTP answer (observed); deliver them on the next tick, after the caller awaits.
      setImmediate(() => {
        if (!playbacks.has(playbackId)) return;
        emit({ type: 'PlaybackStarted', playback: { id: playbackId, media_uri: uri, target_uri: `channel:${channelId}`, state: 'playing' } });
        fake.onPlay?.(channelId, uri, playbackId);
        const ms = mediaMs(uri);
        if (ms === 'failed') return finish(playbackId, 'failed');
        if (ms === 'never') return;
        const pb = playbacks.get(playbackId);
        if (pb) pb.timer = setTimeout(() => finish(playbackId, 'done'), ms);
      });
      return ok(undefined);
    },
    async stopPlayback(playbackId) {
      record('stopPlayback', playbackId);
      if (!playbacks.has(playbackId)) return gone;
      finish(playbackId, 'done');
      return ok(undefined);
    },
    async record(channelId, req) {
      record('record', channelId, req.name, req);
      fake.recordings.push({ channelId, req });
      if (!channels.has(channelId)) return gone;
      const ms = recordMs(req);
      if (ms === 'refused') return { ok: false, error: 'failed', status: 500, message: 'Internal Server Error' };
      const rec: AriLiveRecording = { name: req.name, format: req.format, state: 'queued', target_uri: `channel:${channelId}` };
      live.set(req.name, { channelId, rec, startedAt: Date.now() });
      // Events can race the HTTP answer (observed); deliver them on the next tick, after the caller awaits.
      setImmediate(() => {
        const r = live.get(req.name);
        if (!r) return;
        r.rec = { ...rec, state: 'recording' };
        emit({ type: 'RecordingStarted', recording: r.rec });
        fake.onRecord?.(channelId, req);
        if (ms === 'failed') return endRecording(req.name, 'failed');
        if (typeof ms === 'number' && live.has(req.name)) live.get(req.name)!.timer = setTimeout(() => endRecording(req.name, 'done'), ms);
      });
      return ok(rec);
    },
    async stopRecording(name) {
      record('stopRecording', name);
      if (!live.has(name)) return gone;
      endRecording(name, 'done');
      return ok(undefined);
    },
    async getVariable(channelId, variable) {
      if (!channels.has(channelId)) return gone;
      if (variable === 'CHANNEL(linkedid)') return ok(`linked-${channelId}`);
      if (variable === 'CHANNEL(callid)') return ok(`[C-${channelId.slice(-6)}]`);
      return ok(variable.startsWith('QUEUE_MEMBER') ? '1' : '');
    },
    async setVariable() {
      return ok(undefined);
    },
    async continueInDialplan(channelId) {
      record('continue', channelId);
      return ok(undefined);
    },
    async createBridge(id) {
      record('createBridge', id);
      return ok(undefined);
    },
    async addToBridge(id, chans) {
      record('addToBridge', id, chans);
      return ok(undefined);
    },
    async destroyBridge(id) {
      record('destroyBridge', id);
      return ok(undefined);
    },
    async getChannel(id) {
      const c = channels.get(id);
      return c ? ok(c) : gone;
    },
    async listChannels() {
      return ok([...channels.values()]);
    },
    async subscribe() {
      return ok(undefined);
    },
    onEvent(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onConnection() {
      return () => {};
    },
    async close() {
      for (const pb of playbacks.values()) clearTimeout(pb.timer);
      for (const r of live.values()) clearTimeout(r.timer);
      listeners.clear();
    },
  };
  return fake;
}
