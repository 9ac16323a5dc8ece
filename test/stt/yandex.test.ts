import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFfmpegConverter } from '../../src/media/ffmpeg.js';
import { pcmToWav, wavHeader } from '../../src/media/wav.js';
import { createYandexRecognizer, type SttSettings } from '../../src/stt/index.js';
import { FAKE_FOLDER, FAKE_STT_KEY, startFakeStt, type FakeStt } from '../fakes/stt.js';

const log = pino({ level: 'silent' });
let fake: FakeStt;
let dir: string;
beforeAll(async () => {
  fake = await startFakeStt();
  dir = mkdtempSync(join(tmpdir(), 'autodialer-stt-'));
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.delayMs = 0;
  fake.failWith = undefined;
});

function recognizerWith(settings: Partial<SttSettings>, timeoutMs?: number) {
  const s: SttSettings = { yandexApiKey: FAKE_STT_KEY, yandexFolderId: FAKE_FOLDER, ...settings };
  const r = createYandexRecognizer({ url: fake.url, settings: { current: async () => s }, converter: createFfmpegConverter({ log }), tmpDir: join(dir, 'tmp'), log, timeoutMs });
  return { r, s };
}

/** A recording as Asterisk makes it: 8 kHz mono 16-bit, with a recognisable sample pattern. */
function recording(name: string, samples = 8000): { path: string; pcm: Buffer } {
  const pcm = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) pcm.writeInt16LE(Math.round(5000 * Math.sin(i / 3)), i * 2);
  const path = join(dir, name);
  writeFileSync(path, pcmToWav(pcm));
  return { path, pcm };
}

describe('Yandex SpeechKit STT v1', () => {
  it('POSTs the raw PCM with the query and the Api-Key header v1 expects, and answers its result', async () => {
    const { r } = recognizerWith({});
    const rec = recording('answer.wav');
    expect(await r.configured()).toBe(true);
    expect(await r.recognize(rec.path, 'ru-RU')).toEqual({ ok: true, text: 'два три' });
    expect(fake.requests).toHaveLength(1);
    const q = fake.requests[0]!;
    expect(q.path).toBe('/speech/v1/stt:recognize');
    expect(q.query).toEqual({ lang: 'ru-RU', format: 'lpcm', sampleRateHertz: '8000', topic: 'general', folderId: FAKE_FOLDER });
    expect(q.authorization).toBe(`Api-Key ${FAKE_STT_KEY}`);
    expect(q.body.equals(rec.pcm)).toBe(true); // the samples, without the wav header
  });

  it('converts a recording that is not 8 kHz mono 16-bit before sending it', async () => {
    const { r } = recognizerWith({});
    const pcm = Buffer.alloc(16000 * 2 * 2); // one second of 16 kHz stereo
    for (let i = 0; i < pcm.length / 2; i++) pcm.writeInt16LE(Math.round(4000 * Math.sin(i / 5)), i * 2);
    const path = join(dir, 'stereo.wav');
    writeFileSync(path, Buffer.concat([wavHeader(pcm.length, { sampleRate: 16000, channels: 2, bitsPerSample: 16 }), pcm]));
    expect(await r.recognize(path, 'ru-RU')).toEqual({ ok: true, text: 'два три' });
    const sent = fake.requests[0]!.body;
    expect(sent.length).toBeGreaterThan(15000); // about one second at 8 kHz mono 16-bit = 16000 bytes
    expect(sent.length).toBeLessThan(17000);
  });

  it('is not configured without a key or a folder id, and then sends nothing', async () => {
    const { r, s } = recognizerWith({ yandexFolderId: '' });
    expect(await r.configured()).toBe(false);
    expect(await r.recognize(recording('a.wav').path, 'ru-RU')).toEqual({ ok: false, message: 'speech recognition is not configured (yandexApiKey and yandexFolderId)' });
    s.yandexFolderId = FAKE_FOLDER;
    s.yandexApiKey = '';
    expect(await r.configured()).toBe(false);
    s.yandexApiKey = FAKE_STT_KEY;
    expect(await r.configured()).toBe(true); // read at use time: a settings change applies at once
    expect(fake.requests).toHaveLength(0);
  });

  it('says what failed: a rejected key, a service error, a missing file', async () => {
    const { r } = recognizerWith({ yandexApiKey: 'wrong' });
    const rec = recording('b.wav');
    expect(await r.recognize(rec.path, 'ru-RU')).toEqual({ ok: false, message: 'Yandex SpeechKit STT failed with HTTP 401 (check yandexApiKey and yandexFolderId): Unknown api key' });
    const ok = recognizerWith({}).r;
    fake.failWith = 500;
    expect(await ok.recognize(rec.path, 'ru-RU')).toEqual({ ok: false, message: 'Yandex SpeechKit STT failed with HTTP 500: internal error' });
    expect(await ok.recognize(join(dir, 'missing.wav'), 'ru-RU')).toEqual({ ok: false, message: expect.stringMatching(/^the recording .*missing\.wav cannot be read \(ENOENT\)/) });
  });

  it('gives up after its timeout, and at once when the call ends', async () => {
    fake.delayMs = 3000;
    const { r } = recognizerWith({}, 300);
    const rec = recording('c.wav');
    let started = Date.now();
    expect(await r.recognize(rec.path, 'ru-RU')).toEqual({ ok: false, message: 'Yandex SpeechKit STT did not answer within 300 ms' });
    expect(Date.now() - started).toBeLessThan(1000);
    const long = recognizerWith({}).r; // 10 s by default
    const hangup = new AbortController();
    setTimeout(() => hangup.abort(), 100);
    started = Date.now();
    expect(await long.recognize(rec.path, 'ru-RU', hangup.signal)).toEqual({ ok: false, message: 'speech recognition was cancelled (the call ended)' });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
