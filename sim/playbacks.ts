/**
 * Playbacks on channels: PlaybackStarted → [PlaybackContinuing → PlaybackStarted …] →
 * PlaybackFinished(done|failed). Several playbacks on one channel queue up as in Asterisk.
 */
import type { SimChannel } from './channel.js';
import type { Engine } from './engine.js';
import { AriError } from './errors.js';
import { mediaDurationMs } from './media.js';

export interface SimPlayback {
  id: string;
  media: string[];
  index: number;
  channel: SimChannel;
  state: 'queued' | 'playing' | 'continuing' | 'done' | 'failed';
  cancelTimer?: () => void;
}

export class Playbacks {
  readonly byId = new Map<string, SimPlayback>();
  private readonly queues = new Map<string, SimPlayback[]>();
  private seq = 0;

  constructor(private readonly engine: Engine) {
    engine.channelGoneHooks.push((ch) => this.channelGone(ch));
  }

  json(pb: SimPlayback): Record<string, unknown> {
    const j: Record<string, unknown> = { id: pb.id, media_uri: pb.media[pb.index] };
    if (pb.state === 'continuing' && pb.index + 1 < pb.media.length) j.next_media_uri = pb.media[pb.index + 1];
    return { ...j, target_uri: `channel:${pb.channel.id}`, language: 'en', state: pb.state };
  }

  private emit(type: string, pb: SimPlayback): void {
    this.engine.bus.emit({ type, playback: this.json(pb) }, [`channel:${pb.channel.id}`]);
  }

  play(ch: SimChannel, media: string[], playbackId?: string): Record<string, unknown> {
    if (media.length === 0 || media.some((m) => !m.includes(':'))) throw new AriError(400, 'Missing parameter media');
    const id = playbackId || `${this.engine.uniqueId()}-pb${++this.seq}`;
    if (this.byId.has(id)) throw new AriError(409, 'Playback with given id already exists');
    const pb: SimPlayback = { id, media, index: 0, channel: ch, state: 'queued' };
    this.byId.set(id, pb);
    const q = this.queues.get(ch.id) ?? [];
    q.push(pb);
    this.queues.set(ch.id, q);
    const json = this.json(pb);
    if (q.length === 1) setImmediate(() => this.startCurrent(pb));
    return json;
  }

  private startCurrent(pb: SimPlayback): void {
    if (!pb.channel.alive || pb.state === 'done' || pb.state === 'failed') return;
    pb.state = 'playing';
    this.emit('PlaybackStarted', pb);
    const ms = mediaDurationMs(pb.media[pb.index]!);
    if (ms === null) return this.finish(pb, 'failed');
    if (ms === Infinity) return; // tone: loops until stopped
    pb.cancelTimer = this.engine.clock.after(ms, () => this.mediaDone(pb));
  }

  private mediaDone(pb: SimPlayback): void {
    pb.cancelTimer = undefined;
    if (pb.index + 1 < pb.media.length) {
      pb.state = 'continuing';
      this.emit('PlaybackContinuing', pb);
      pb.index++;
      return this.startCurrent(pb);
    }
    this.finish(pb, 'done');
  }

  private finish(pb: SimPlayback, state: 'done' | 'failed'): void {
    pb.cancelTimer?.();
    pb.cancelTimer = undefined;
    const wasQueued = pb.state === 'queued';
    pb.state = state;
    this.byId.delete(pb.id);
    const q = this.queues.get(pb.channel.id) ?? [];
    const at = q.indexOf(pb);
    if (at >= 0) q.splice(at, 1);
    if (q.length === 0) this.queues.delete(pb.channel.id);
    if (!wasQueued) this.emit('PlaybackFinished', pb);
    if (at === 0 && q[0] && pb.channel.alive) {
      const next = q[0];
      setImmediate(() => this.startCurrent(next));
    }
  }

  get(id: string): SimPlayback {
    const pb = this.byId.get(id);
    if (!pb) throw new AriError(404, 'Playback not found');
    return pb;
  }

  stop(id: string): void {
    this.finish(this.get(id), 'done');
  }

  /** Hangup mid-playback: PlaybackFinished state=failed, before StasisEnd. */
  private channelGone(ch: SimChannel): void {
    const q = this.queues.get(ch.id);
    if (!q) return;
    for (const pb of [...q]) {
      if (pb.state === 'queued') {
        this.byId.delete(pb.id);
        continue;
      }
      this.finish(pb, 'failed');
    }
    this.queues.delete(ch.id);
  }
}
