/**
 * Channel recordings and snoop channels (lower-priority ARI surface).
 *
 * A customer without a `duringRecording` script sends no audio at all, like a Local channel running Wait() on
 * the real Asterisk (observed.md §4.9): its recordings end at maxDurationSeconds, on stop or when the channel
 * goes, with duration 0. A customer with a script sends audio frames (its speech, `talkMs`, then silence): the
 * recording also ends after maxSilenceSeconds of silence following the speech, and its duration is the time
 * recorded (simulated seconds). Its keys (`dtmf`, timed from RecordingStarted) arrive as ChannelDtmfReceived.
 *
 * With the world's spoolDir set, a finished wav recording is written (before RecordingFinished: Asterisk has
 * closed the file by then) to `<spoolDir>/recording/<name>.wav`: 8 kHz 16-bit mono silence of that duration.
 * Names may hold '/' (Asterisk makes the sub-directories); '..' is refused with 400 as by Asterisk.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SimChannel } from './channel.js';
import type { Engine } from './engine.js';
import { AriError } from './errors.js';
import { legOf } from './leg.js';

/** A customer's behaviour during each recording of its call. */
export interface RecordingScript {
  /** Keys pressed this long (simulated ms) after RecordingStarted. */
  dtmf?: Array<{ afterStartMs: number; digits: string }>;
  /** The customer speaks this long (simulated ms) from the start; maxSilenceSeconds counts after it. */
  talkMs?: number;
}

interface LiveRecording {
  name: string;
  format: string;
  channel: SimChannel;
  state: 'queued' | 'recording' | 'done' | 'canceled';
  /** Real Date.now() at RecordingStarted, for the duration of a recording stopped early. */
  startedAt?: number;
  /** The far end sends audio frames (a scripted customer); without them Asterisk records nothing: duration 0. */
  audio?: boolean;
  duration?: number;
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
    if (r.state === 'done') j.duration = r.duration ?? 0;
    return j;
  }

  private emit(type: string, r: LiveRecording): void {
    this.engine.bus.emit({ type, recording: this.json(r) }, [`channel:${r.channel.id}`]);
  }

  start(ch: SimChannel, q: Record<string, string>): Record<string, unknown> {
    const name = q.name ?? '';
    const format = q.format ?? '';
    if (!name || !format) throw new AriError(400, 'Missing parameter name or format');
    if (name.includes('..')) throw new AriError(400, 'Recording name invalid');
    const ifExists = q.ifExists ?? 'fail';
    if (this.live.has(name) || (this.stored.has(name) && ifExists === 'fail')) {
      throw new AriError(409, 'Recording with the same name already exists');
    }
    const spool = this.engine.world.spoolDir;
    // Asterisk 22.10.1 does not create <astspooldir>/recording: without it every record request is a 500
    // ("Unrecognized recording error: No such file or directory" in its log).
    if (spool && !existsSync(join(spool, 'recording'))) throw new AriError(500, 'Internal Server Error');
    const r: LiveRecording = { name, format, channel: ch, state: 'queued' };
    this.live.set(name, r);
    const json = this.json(r);
    setImmediate(() => {
      if (r.state !== 'queued' || !ch.alive) return;
      r.state = 'recording';
      r.startedAt = Date.now();
      this.emit('RecordingStarted', r);
      const script = customerScript(ch);
      r.audio = script !== undefined;
      for (const step of script?.dtmf ?? []) this.engine.schedule(ch, step.afterStartMs, () => r.state === 'recording' && this.engine.emitDtmf(ch, step.digits));
      const maxSilence = script ? Number(q.maxSilenceSeconds ?? 0) : 0; // no frames, no silence detection
      const ends = endOf(Number(q.maxDurationSeconds ?? 0), maxSilence, script?.talkMs ?? 0);
      if (ends !== undefined) {
        r.cancelTimer = this.engine.clock.after(ends, () => {
          if (r.audio) r.duration = Math.round(ends / 1000);
          this.finish(r, 'done');
        });
      }
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
    if (state === 'done') {
      r.duration ??= !r.audio || r.startedAt === undefined ? 0 : Math.round((Date.now() - r.startedAt) / this.engine.clock.timeScale / 1000);
      this.stored.set(r.name, { name: r.name, format: r.format });
      if (wasRecording) this.writeFile(r);
    }
    if (wasRecording) this.emit('RecordingFinished', r);
  }

  /** The recording's file, as Asterisk leaves it in its spool dir: silence of the recorded duration. */
  private writeFile(r: LiveRecording): void {
    const spool = this.engine.world.spoolDir;
    if (!spool || r.format !== 'wav') return;
    const path = join(spool, 'recording', `${r.name}.wav`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, silentWav(r.duration ?? 0));
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

/** The customer script of the call this channel belongs to, if it is a scripted customer. */
function customerScript(ch: SimChannel): RecordingScript | undefined {
  const s = legOf(ch)?.opts.scenario;
  return s?.kind === 'answer' ? s.duringRecording : undefined;
}

/** Simulated ms until Asterisk ends a recording of silence: max duration, or max silence after the speech. */
function endOf(maxDurationSeconds: number, maxSilenceSeconds: number, talkMs: number): number | undefined {
  const ends = [maxDurationSeconds > 0 ? maxDurationSeconds * 1000 : Infinity, maxSilenceSeconds > 0 ? talkMs + maxSilenceSeconds * 1000 : Infinity];
  const first = Math.min(...ends);
  return first === Infinity ? undefined : first;
}

/** 8 kHz 16-bit mono PCM silence with a canonical 44-byte WAV header. */
function silentWav(seconds: number): Buffer {
  const data = Math.max(0, Math.round(seconds * 8000)) * 2;
  const b = Buffer.alloc(44 + data);
  b.write('RIFF', 0, 'ascii');
  b.writeUInt32LE(36 + data, 4);
  b.write('WAVEfmt ', 8, 'ascii');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20); // PCM
  b.writeUInt16LE(1, 22); // mono
  b.writeUInt32LE(8000, 24);
  b.writeUInt32LE(16000, 28); // byte rate
  b.writeUInt16LE(2, 32); // block align
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'ascii');
  b.writeUInt32LE(data, 40);
  return b;
}
