import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { bundledFfmpegPath, createFfmpegConverter } from '../../src/media/ffmpeg.js';
import { parseWav } from '../../src/media/wav.js';
import { idleDialer, noPromptPreparer } from '../../src/ports.js';
import { freshEnv } from '../helpers/env.js';

const BASE = '/pbxcore/api/module-dialer/v1';
const LOCAL = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
const env = await freshEnv();
afterAll(() => env.cleanup());
const app = createApp({
  config: env.config,
  db: env.db,
  log: env.log,
  dialer: idleDialer,
  audio: createFfmpegConverter({ ffmpegPath: env.config.media.ffmpegPath, log: env.log }),
  prompts: noPromptPreparer,
});

async function upload(name: string, bytes: Buffer) {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  const res = await app.request(`${BASE}/audio`, { method: 'POST', body: form }, LOCAL);
  return (await res.json()) as { result: boolean; data: { filename?: string }; messages: unknown };
}

function mp3(seconds: number): Buffer {
  const out = join(env.dir, `gen-${seconds}.mp3`);
  execFileSync(bundledFfmpegPath(), ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=500:duration=${seconds}`, '-ar', '44100', '-ac', '2', out]);
  return readFileSync(out);
}

describe('POST /audio with the real ffmpeg converter', () => {
  it('stores an uploaded 44.1 kHz stereo mp3 as an 8 kHz mono 16-bit wav and answers its path', async () => {
    const r = await upload('1.mp3', mp3(2));
    expect(r.result).toBe(true);
    expect(r.data.filename).toMatch(/\/audio\/[0-9a-f]+\.wav$/);
    const info = parseWav(readFileSync(r.data.filename!));
    expect(info).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 16 });
    expect(info!.dataBytes).toBeGreaterThan(30000);
    const list = await (await app.request(`${BASE}/audio`, {}, LOCAL)).json();
    expect(list.data).toEqual([{ id: expect.stringMatching(/^\d+$/), name: '1.mp3', path: r.data.filename }]); // ids are strings, as the original's
  });

  it('refuses a file that is not audio and stores nothing', async () => {
    const before = readdirSync(join(env.dir, 'audio')).sort();
    const r = await upload('junk.mp3', Buffer.from('definitely not an mp3 '.repeat(50)));
    expect(r.result).toBe(false);
    expect(JSON.stringify(r.messages)).toContain('could not be read as audio');
    expect(readdirSync(join(env.dir, 'audio')).sort()).toEqual(before);
    const list = await (await app.request(`${BASE}/audio`, {}, LOCAL)).json();
    expect(list.data.map((a: { name: string }) => a.name)).toEqual(['1.mp3']);
  });
});
