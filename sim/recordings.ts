/**
 * Channel recordings and snoop channels (lower-priority ARI surface). A simulated far end produces
 * no audio, so — like a Local channel running Wait() on the real Asterisk — recordings end with
 * duration 0 (observed.md §4.9).
 */
import type { SimChannel } from './channel.js';
import type { Engine } from './engine.js';
import { AriError } from './errors.js';

interface LiveRecording {
  name: string;
  format: string;
  channel: SimChannel;
  state: 'queued' | 'recording' | 'done' | 'canceled';
  cancelTimer?: () => void;
}

export class Recordings {
  readonly live = new Map<string, LiveRecording>();
  readonly stored = new Map<string, { name: string; format: string }>();
  private snoopSeq = 0;

  constructor(private readonly engine: Engine) {
    engine.channelGoneHooks.push((ch) => {
      for (const r of this.live.values()) if (r.channel === ch) this.finish(r, 'done');
    });
  }

  json(r: LiveRecording): Record<string, unknown> {
    const j: Record<string, unknown> = { name: r.name, format: r.format, state: r.state, target_uri: `channel:${r.channel.id}` };
    if (r.state === 'done') j.duration = 0;
    return j;
  }

  private emit(type: string, r: LiveRecording): void {
    this.engine.bus.emit({ type, recording: this.json(r) }, [`channel:${r.channel.id}`]);
  }

  start(ch: SimChannel, q: Record<string, string>): Record<string, unknown> {
    const name = q.name ?? '';
    const format = q.format ?? '';
    if (!name || !format) throw new AriError(400, 'Missing parameter name or format');
    const ifExists = q.ifExists ?? 'fail';
    if (this.live.has(name) || (this.stored.has(name) && ifExists === 'fail')) {
      throw new AriError(409, 'Recording with the same name already exists');
    }
    const r: LiveRecording = { name, format, channel: ch, state: 'queued' };
    this.live.set(name, r);
    const json = this.json(r);
    setImmediate(() => {
      if (r.state !== 'queued' || !ch.alive) return;
      r.state = 'recording';
      this.emit('RecordingStarted', r);
      const max = Number(q.maxDurationSeconds ?? 0);
      if (max > 0) r.cancelTimer = this.engine.clock.after(max * 1000, () => this.finish(r, 'done'));
    });
    return json;
  }

  get(name: string): LiveRecording {
    const r = this.live.get(name);
    if (!r) throw new AriError(404, 'Recording not found');
    return r;
  }

  finish(r: LiveRecording, state: 'done' | 'canceled'): void {
    r.cancelTimer?.();
    this.live.delete(r.name);
    const wasRecording = r.state === 'recording';
    r.state = state;
    if (state === 'done') this.stored.set(r.name, { name: r.name, format: r.format });
    if (wasRecording) this.emit('RecordingFinished', r);
  }

  /** POST /channels/{id}/snoop: a Snoop/… channel in Stasis that dies with its target. */
  snoop(target: SimChannel, app: string, appArgs: string | undefined, snoopId: string | undefined): SimChannel {
    if (!app) throw new AriError(400, 'Application name is required');
    const id = snoopId || this.engine.uniqueId();
    if (this.engine.channels.has(id)) throw new AriError(409, 'Channel with given unique ID already exists');
    const suffix = (this.snoopSeq++).toString(16).padStart(8, '0');
    const ch = this.engine.newChannel(id, `Snoop/${target.id}-${suffix}`, {
      context: 'default', exten: 's', priority: 1, app_name: '', app_data: '',
    });
    ch.state = 'Up';
    ch.linkedid = target.linkedid;
    target.onDestroy.push(() => {
      this.engine.hangupRequest(ch, 16);
      this.engine.destroy(ch, 16);
    });
    setImmediate(() => ch.alive && this.engine.enterStasis(ch, app, appArgs ? appArgs.split(',') : []));
    return ch;
  }
}
