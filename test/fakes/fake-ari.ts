import type { AriChannel, AriEvent, AriPort, AriResult } from '../../stasis/ari/port.js';

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
}

export interface FakeAri extends AriPort {
  commands: FakeCommand[];
  /** Media URIs played on a channel, in order. */
  played(channelId?: string): string[];
  emit(e: AriEvent): void;
  addChannel(id: string): AriChannel;
  press(channelId: string, digits: string): void;
  hangupRemote(channelId: string): void;
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
      record('record', channelId, req.name);
      if (!channels.has(channelId)) return gone;
      const rec = { name: req.name, format: req.format, state: 'recording', target_uri: `channel:${channelId}` };
      setImmediate(() => emit({ type: 'RecordingStarted', recording: rec }));
      return ok(rec);
    },
    async stopRecording(name) {
      record('stopRecording', name);
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
      listeners.clear();
    },
  };
  return fake;
}
