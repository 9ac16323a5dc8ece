import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAsteriskWav, parseWav } from '../../src/media/wav.js';
import { createTts } from '../../src/tts/index.js';
import { voiceFor } from '../../src/tts/voice.js';
import { FAKE_API_KEY, startFakeSpeechKit, type FakeSpeechKit } from '../fakes/speechkit.js';
import { freshEnv } from '../helpers/env.js';

let fake: FakeSpeechKit;
beforeAll(async () => {
  fake = await startFakeSpeechKit();
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
  fake.delayMs = 0;
  fake.failWith = undefined;
});

async function ttsWith(key: string | undefined, extra: Record<string, string> = {}) {
  const env = await freshEnv({ YANDEX_TTS_URL: fake.url, ...(key ? { YANDEX_API_KEY: key } : {}), ...extra });
  const tts = createTts(env.config.tts, env.dir, env.log);
  return { env, tts };
}

describe('voice and language (v1.35 mapping)', () => {
  it('maps uz-UZ, en and everything else', () => {
    expect(voiceFor('uz-UZ')).toEqual({ voice: 'nigora', lang: 'uz-UZ' });
    expect(voiceFor('en-en')).toEqual({ voice: 'john', lang: 'en-US' });
    expect(voiceFor('en-US')).toEqual({ voice: 'john', lang: 'en-US' });
    expect(voiceFor('ru-RU')).toEqual({ voice: 'alena', lang: 'ru-RU' });
    expect(voiceFor('de-DE')).toEqual({ voice: 'alena', lang: 'ru-RU' });
    expect(voiceFor(undefined)).toEqual({ voice: 'alena', lang: 'ru-RU' });
  });
});

describe('Yandex SpeechKit text-to-speech', () => {
  it('sends the request the real service expects and stores a playable 8 kHz wav', async () => {
    const { env, tts } = await ttsWith(FAKE_API_KEY);
    const r = await tts.synthesize('Добрый <b>день</b>', 'en-US');
    expect(r.ok).toBe(true);
    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0];
    expect(req.path).toBe('/speech/v1/tts:synthesize');
    expect(req.authorization).toBe(`Api-Key ${FAKE_API_KEY}`);
    expect(req.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(req.form).toEqual({ lang: 'en-US', format: 'lpcm', sampleRateHertz: '8000', voice: 'john', speed: '1.0', text: 'Добрый день' });
    if (!r.ok) return;
    expect(r.wavPath.startsWith(`${env.dir}/tts/`)).toBe(true);
    expect(r.wavPath).toMatch(/\/[0-9a-f]{64}\.wav$/);
    expect(isAsteriskWav(parseWav(readFileSync(r.wavPath)))).toBe(true);
    await env.cleanup();
  });

  it('voices a text once: the second use is served from the disk cache without a request', async () => {
    const { env, tts } = await ttsWith(FAKE_API_KEY);
    const a = await tts.synthesize('Спасибо за ответ', 'ru-RU');
    const b = await tts.synthesize('Спасибо за ответ', 'ru-RU');
    expect(a).toMatchObject({ ok: true, cached: false });
    expect(b).toMatchObject({ ok: true, cached: true });
    expect(a.ok && b.ok && a.wavPath === b.wavPath).toBe(true);
    expect(fake.requests).toHaveLength(1);
    // A different language is a different prompt.
    await tts.synthesize('Спасибо за ответ', 'uz-UZ');
    expect(fake.requests).toHaveLength(2);
    // A new process (new service over the same data dir) still finds it.
    const again = createTts(env.config.tts, env.dir, env.log);
    expect(await again.synthesize('Спасибо за ответ', 'ru-RU')).toMatchObject({ ok: true, cached: true });
    expect(fake.requests).toHaveLength(2);
    await env.cleanup();
  });

  it('speaks a value written in quotes (as the module docs do) without them, sharing the cache entry', async () => {
    const { env, tts } = await ttsWith(FAKE_API_KEY);
    await tts.synthesize('"Спасибо за выбор этого товара"', 'ru-RU');
    expect(await tts.synthesize('Спасибо за выбор этого товара', 'ru-RU')).toMatchObject({ ok: true, cached: true });
    expect(fake.requests.map((r) => r.form.text)).toEqual(['Спасибо за выбор этого товара']);
    await env.cleanup();
  });

  it('keeps per-call prompts apart and sweeps those older than a day', async () => {
    const { env, tts } = await ttsWith(FAKE_API_KEY);
    await tts.synthesize('Общий вопрос', 'ru-RU');
    const shared = await tts.synthesize('Общий вопрос', 'ru-RU', { perCall: true });
    expect(shared).toMatchObject({ ok: true, cached: true }); // a polling prompt is reused, not copied
    const own = await tts.synthesize('Иван, ваш долг 1 2 3', 'ru-RU', { perCall: true });
    expect(own.ok && own.wavPath.startsWith(`${tts.cacheDir}/calls/`)).toBe(true);
    const { createTtsCache } = await import('../../src/tts/cache.js');
    const calls = createTtsCache(`${tts.cacheDir}/calls`);
    expect(await calls.sweep(24 * 3600_000)).toBe(0);
    expect(await calls.sweep(24 * 3600_000, Date.now() + 25 * 3600_000)).toBe(1);
    expect(own.ok && existsSync(own.wavPath)).toBe(false);
    expect(existsSync((shared as { wavPath: string }).wavPath)).toBe(true);
    await env.cleanup();
  });

  it('shares one request between concurrent calls needing the same new prompt', async () => {
    const { env, tts } = await ttsWith(FAKE_API_KEY);
    const rs = await Promise.all([1, 2, 3].map(() => tts.synthesize('Одновременно', 'ru-RU')));
    expect(rs.every((r) => r.ok)).toBe(true);
    expect(fake.requests).toHaveLength(1);
    await env.cleanup();
  });

  it('says clearly when the API key is rejected', async () => {
    const { env, tts } = await ttsWith('wrong-key');
    const r = await tts.synthesize('Текст', 'ru-RU');
    expect(r).toEqual({ ok: false, message: expect.stringContaining('Yandex SpeechKit rejected the API key') });
    await env.cleanup();
  });

  it('passes on what the service said about a refused text, and refuses over-long texts itself', async () => {
    fake.failWith = undefined;
    const { env, tts } = await ttsWith(FAKE_API_KEY);
    const long = await tts.synthesize('а'.repeat(5001), 'ru-RU');
    expect(long).toEqual({ ok: false, message: expect.stringMatching(/at most 5000/) });
    expect(fake.requests).toHaveLength(0);
    const empty = await tts.synthesize('<tag></tag>  ', 'ru-RU');
    expect(empty).toEqual({ ok: false, message: expect.stringMatching(/empty/) });
    fake.failWith = 500;
    const down = await tts.synthesize('Текст', 'ru-RU');
    expect(down).toEqual({ ok: false, message: expect.stringMatching(/HTTP 500/) });
    await env.cleanup();
  });

  it('reports a 400 with the service message', async () => {
    const { env } = await ttsWith(FAKE_API_KEY);
    // Send a voice the service does not know by going through the client directly.
    const { createSpeechKitClient } = await import('../../src/tts/yandex.js');
    const client = createSpeechKitClient({ url: fake.url, apiKey: FAKE_API_KEY, timeoutMs: 2000 });
    const r = await client.synthesize('Текст', 'nobody', 'ru-RU');
    expect(r).toEqual({ ok: false, kind: 'rejected', message: 'Yandex SpeechKit refused the text: Unsupported voice: nobody' });
    await env.cleanup();
  });

  it('gives up after the configured timeout and on a network failure', async () => {
    fake.delayMs = 1500;
    const { env, tts } = await ttsWith(FAKE_API_KEY, { YANDEX_TTS_TIMEOUT_MS: '300' });
    const r = await tts.synthesize('Медленно', 'ru-RU');
    expect(r).toEqual({ ok: false, message: expect.stringMatching(/did not answer within 300 ms/) });
    await env.cleanup();
    const dead = await ttsWith(FAKE_API_KEY, { YANDEX_TTS_URL: 'http://127.0.0.1:1/speech/v1/tts:synthesize' });
    const n = await dead.tts.synthesize('Текст', 'ru-RU');
    expect(n).toEqual({ ok: false, message: expect.stringMatching(/unreachable/) });
    await dead.env.cleanup();
  });
});

describe('preparing prompts when a polling is saved', () => {
  it('voices every prompt ahead of calls, so the call itself needs no request', async () => {
    const { env, tts } = await ttsWith(FAKE_API_KEY);
    const r = await tts.preparer.prepare([
      { text: 'Вопрос один', lang: 'ru-RU' },
      { text: 'Question two', lang: 'en-US' },
    ]);
    expect(r).toEqual({ errors: [], warnings: [] });
    expect(fake.requests).toHaveLength(2);
    expect(await tts.synthesize('Вопрос один', 'ru-RU')).toMatchObject({ ok: true, cached: true });
    expect(fake.requests).toHaveLength(2);
    await env.cleanup();
  });

  it('turns a broken key into errors naming the prompt', async () => {
    const { env, tts } = await ttsWith('bad');
    const r = await tts.preparer.prepare([{ text: 'Вопрос', lang: 'ru-RU', label: 'question 1' } as never]);
    expect(r.warnings).toEqual([]);
    expect(r.errors).toEqual([expect.stringMatching(/^question 1: Yandex SpeechKit rejected the API key/)]);
    await env.cleanup();
  });

  it('warns, without failing, when text-to-speech is not configured', async () => {
    const { env, tts } = await ttsWith(undefined);
    expect(tts.configured).toBe(false);
    const r = await tts.preparer.prepare([
      { text: 'Вопрос', lang: 'ru-RU', label: 'question 1' } as never,
      { text: 'Ещё', lang: 'ru-RU' },
    ]);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      'text-to-speech is not configured (YANDEX_API_KEY): question 1 will play a beep',
      'text-to-speech is not configured (YANDEX_API_KEY): prompt 2 ("Ещё") will play a beep',
    ]);
    expect(fake.requests).toHaveLength(0);
    await env.cleanup();
  });
});
