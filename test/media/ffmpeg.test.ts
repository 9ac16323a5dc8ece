import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundledFfmpegPath, createFfmpegConverter } from '../../src/media/ffmpeg.js';
import { parseWav, pcmToWav } from '../../src/media/wav.js';
import { freshEnv } from '../helpers/env.js';

const env = await freshEnv();
afterAll(() => env.cleanup());
const ffmpeg = bundledFfmpegPath();
const converter = createFfmpegConverter({ log: env.log });

/** A real audio file made by ffmpeg itself: a tone of `seconds` in the given container and format. */
function makeAudio(name: string, seconds: number, extra: string[]): string {
  const out = join(env.dir, name);
  execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, ...extra, out]);
  return out;
}

describe('audio conversion for Asterisk', () => {
  it('turns a 44.1 kHz stereo mp3 into 8 kHz mono 16-bit wav of the same length', async () => {
    const mp3 = makeAudio('tone.mp3', 2, ['-ar', '44100', '-ac', '2', '-b:a', '128k']);
    const r = await converter.convert(mp3, join(env.dir, 'out-mp3'));
    expect(r).toEqual({ ok: true, wavPath: join(env.dir, 'out-mp3.wav') });
    const info = parseWav(readFileSync(join(env.dir, 'out-mp3.wav')));
    expect(info).toMatchObject({ audioFormat: 1, sampleRate: 8000, channels: 1, bitsPerSample: 16 });
    // 2 s at 8000 samples/s × 2 bytes, give or take the mp3 decoder's padding.
    expect(info!.dataBytes).toBeGreaterThan(2 * 8000 * 2 * 0.95);
    expect(info!.dataBytes).toBeLessThan(2 * 8000 * 2 * 1.1);
  });

  it('converts a 48 kHz stereo wav and an ogg too', async () => {
    const wav = makeAudio('hi.wav', 1, ['-ar', '48000', '-ac', '2', '-acodec', 'pcm_s24le']);
    const r = await converter.convert(wav, join(env.dir, 'out-wav'));
    expect(r.ok).toBe(true);
    expect(parseWav(readFileSync(join(env.dir, 'out-wav.wav')))).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 16 });
    const ogg = makeAudio('tone.ogg', 1, ['-acodec', 'libvorbis']);
    expect((await converter.convert(ogg, join(env.dir, 'out-ogg'))).ok).toBe(true);
  });

  it('replaces an earlier conversion with the same name', async () => {
    const a = makeAudio('a.mp3', 1, []);
    const b = makeAudio('b.mp3', 3, []);
    await converter.convert(a, join(env.dir, 'same'));
    const first = parseWav(readFileSync(join(env.dir, 'same.wav')))!.dataBytes;
    await converter.convert(b, join(env.dir, 'same'));
    const second = parseWav(readFileSync(join(env.dir, 'same.wav')))!.dataBytes;
    expect(second).toBeGreaterThan(first * 2);
  });

  it('refuses junk with a clear message and leaves nothing on disk', async () => {
    const junk = join(env.dir, 'junk.mp3');
    writeFileSync(junk, 'this is not audio at all '.repeat(100));
    const before = readdirSync(env.dir).length;
    const r = await converter.convert(junk, join(env.dir, 'junk-out'));
    expect(r).toEqual({ ok: false, message: expect.stringContaining('could not be read as audio') });
    expect(existsSync(join(env.dir, 'junk-out.wav'))).toBe(false);
    expect(readdirSync(env.dir).length).toBe(before);
  });

  it('refuses a file with no sound in it (an image) and an empty file', async () => {
    const png = join(env.dir, 'pic.png');
    execFileSync(ffmpeg, ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=red:s=16x16:d=0.1', '-frames:v', '1', png]);
    const r = await converter.convert(png, join(env.dir, 'pic-out'));
    expect(r).toEqual({ ok: false, message: expect.stringContaining('could not be read as audio') });
    const empty = join(env.dir, 'empty.wav');
    writeFileSync(empty, '');
    expect(await converter.convert(empty, join(env.dir, 'empty-out'))).toMatchObject({ ok: false });
    expect(readdirSync(env.dir).filter((f) => f.includes('-out'))).toEqual([]);
  });

  it('stops a conversion that takes too long and leaves nothing behind', async () => {
    const long = makeAudio('long.mp3', 30, []);
    const slow = createFfmpegConverter({ log: env.log, timeoutMs: 1 });
    const r = await slow.convert(long, join(env.dir, 'slow-out'));
    expect(r).toEqual({ ok: false, message: expect.stringContaining('was stopped') });
    expect(readdirSync(env.dir).filter((f) => f.startsWith('slow-out'))).toEqual([]);
  });

  it('says so when ffmpeg itself cannot be run', async () => {
    const broken = createFfmpegConverter({ log: env.log, ffmpegPath: join(env.dir, 'no-such-ffmpeg') });
    const r = await broken.convert(join(env.dir, 'tone.mp3'), join(env.dir, 'x'));
    expect(r).toEqual({ ok: false, message: expect.stringContaining('cannot run ffmpeg') });
  });
});

describe('wav header', () => {
  it('wraps raw PCM so the parser reads it back as Asterisk wav', () => {
    const wav = pcmToWav(Buffer.alloc(1601));
    expect(wav.length).toBe(44 + 1600);
    expect(parseWav(wav)).toEqual({ audioFormat: 1, sampleRate: 8000, channels: 1, bitsPerSample: 16, dataBytes: 1600, dataOffset: 44 });
    expect(parseWav(Buffer.from('RIFF....WAVEjunk'))).toBeUndefined();
  });
});
