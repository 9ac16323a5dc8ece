import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isAsteriskWav, parseWav } from '../../src/media/wav.js';
import { createTts, type TtsSettings } from '../../src/tts/index.js';
import { latinToCyrillic } from '../../src/tts/translit.js';
import { FAKE_API_KEY, startFakeSpeechKit, type FakeSpeechKit } from '../fakes/speechkit.js';
import { startFakeRhvoice, type FakeRhvoice } from '../fakes/rhvoice.js';
import { freshEnv } from '../helpers/env.js';

let rh: FakeRhvoice;
let sk: FakeSpeechKit;
beforeAll(async () => {
  [rh, sk] = await Promise.all([startFakeRhvoice(), startFakeSpeechKit()]);
});
afterAll(() => Promise.all([rh.close(), sk.close()]));
beforeEach(() => {
  rh.requests.length = 0;
  sk.requests.length = 0;
  rh.sampleRate = 24000;
  rh.tooSmall = 0;
  rh.failWith = undefined;
  rh.delayMs = 0;
});

/** A TTS whose settings the test changes between prompts, as PATCH /settings does. */
async function ttsWith(settings: Partial<TtsSettings>, env: Record<string, string> = {}) {
  const e = await freshEnv({ YANDEX_TTS_URL: sk.url, YANDEX_TTS_TIMEOUT_MS: '3000', ...env });
  const s: TtsSettings = { ttsEngine: 'rhvoice', yandexApiKey: '', rhvoiceUrl: rh.url, rhvoiceVoice: 'vitaliy-ng', rhvoiceRate: 40, ...settings };
  const tts = createTts(e.config.tts, e.dir, e.log, { settings: { current: async () => s } });
  return { e, s, tts };
}

describe('Latin to Cyrillic', () => {
  it('spells Latin words in Cyrillic and leaves the rest alone', () => {
    expect(latinToCyrillic('Ivan, ваш заказ OK')).toBe('Иван, ваш заказ ОК');
    expect(latinToCyrillic('Shchukin, Zhenya, Chekhov')).toBe('Щукин, Женя, Чехов');
    expect(latinToCyrillic('SHOP 24')).toBe('ШОП 24');
    expect(latinToCyrillic('Добрый день, 123!')).toBe('Добрый день, 123!');
  });
});

describe('RHVoice text-to-speech', () => {
  it('asks GET <url>?text&voice&format=wav&rate, transliterated, and stores an 8 kHz mono wav', async () => {
    const { e, tts } = await ttsWith({ rhvoiceVoice: 'anna', rhvoiceRate: 55 });
    expect(tts.configured).toBe(true);
    const r = await tts.synthesize('Заказ <b>Ivan</b> готов', 'ru-RU');
    expect(r).toMatchObject({ ok: true, cached: false });
    expect(rh.requests).toEqual([{ path: '/say', query: { text: 'Заказ Иван готов', voice: 'anna', format: 'wav', rate: '55' } }]);
    if (!r.ok) return;
    const info = parseWav(readFileSync(r.wavPath));
    expect(isAsteriskWav(info)).toBe(true); // converted from RHVoice's 24 kHz by ffmpeg
    expect(info!.dataBytes).toBeGreaterThan(8000); // about a second of speech survived the conversion
    expect(sk.requests).toHaveLength(0);
    await e.cleanup();
  });

  it('takes an 8 kHz mono answer as it is', async () => {
    rh.sampleRate = 8000;
    const { e, tts } = await ttsWith({});
    const r = await tts.synthesize('Короткий ответ', 'ru-RU');
    expect(r.ok && isAsteriskWav(parseWav(readFileSync(r.wavPath)))).toBe(true);
    await e.cleanup();
  });

  it('asks again when the answer is too small to be speech, at most 3 times', async () => {
    const { e, tts } = await ttsWith({});
    rh.tooSmall = 2;
    expect(await tts.synthesize('Со второй попытки', 'ru-RU')).toMatchObject({ ok: true });
    expect(rh.requests).toHaveLength(3);
    rh.requests.length = 0;
    rh.tooSmall = 5;
    const r = await tts.synthesize('Никогда', 'ru-RU');
    expect(r).toEqual({ ok: false, message: 'RHVoice answered 2 ms of audio, too little for a spoken prompt (at least 300 ms)' });
    expect(rh.requests).toHaveLength(3);
    await e.cleanup();
  });

  it('caches by text, voice and rate: the same prompt costs one request, a new voice or rate another', async () => {
    const { e, s, tts } = await ttsWith({});
    const a = await tts.synthesize('Спасибо', 'ru-RU');
    const b = await tts.synthesize('Спасибо', 'ru-RU');
    expect(b).toMatchObject({ ok: true, cached: true });
    expect(a.ok && b.ok && a.wavPath === b.wavPath).toBe(true);
    expect(rh.requests).toHaveLength(1);
    s.rhvoiceRate = 60;
    const c = await tts.synthesize('Спасибо', 'ru-RU');
    s.rhvoiceVoice = 'elena';
    const d = await tts.synthesize('Спасибо', 'ru-RU');
    expect([c, d]).toMatchObject([{ ok: true, cached: false }, { ok: true, cached: false }]);
    expect(new Set([a, c, d].map((x) => x.ok && x.wavPath)).size).toBe(3);
    expect(rh.requests.map((q) => [q.query.voice, q.query.rate])).toEqual([['vitaliy-ng', '40'], ['vitaliy-ng', '60'], ['elena', '60']]);
    await e.cleanup();
  });

  it('names the failure: a refused voice at once, a server down after its tries, a silent server within the timeout', async () => {
    const { e, s, tts } = await ttsWith({ rhvoiceVoice: 'nobody' });
    expect(await tts.synthesize('Текст', 'ru-RU')).toEqual({ ok: false, message: 'RHVoice failed with HTTP 400: unknown voice nobody' });
    expect(rh.requests).toHaveLength(1);
    s.rhvoiceVoice = 'anna';
    rh.failWith = 503;
    expect(await tts.synthesize('Текст', 'ru-RU')).toEqual({ ok: false, message: 'RHVoice failed with HTTP 503: synthesis failed' });
    expect(rh.requests).toHaveLength(4);
    rh.failWith = undefined;
    rh.delayMs = 5000;
    const started = Date.now();
    expect(await tts.synthesize('Медленно', 'ru-RU')).toEqual({ ok: false, message: 'RHVoice did not answer within 3000 ms' });
    expect(Date.now() - started).toBeLessThan(4500);
    s.rhvoiceUrl = 'http://127.0.0.1:1/say';
    expect(await tts.synthesize('Никуда', 'ru-RU')).toEqual({ ok: false, message: expect.stringMatching(/^RHVoice is unreachable at http:\/\/127\.0\.0\.1:1\/say/) });
    await e.cleanup();
  });
});

describe('the engine is chosen by the settings at use time', () => {
  it('a settings change applies to the next prompt, without a new Tts', async () => {
    const { e, s, tts } = await ttsWith({ ttsEngine: 'yandex', yandexApiKey: FAKE_API_KEY });
    expect(await tts.synthesize('Первый', 'ru-RU')).toMatchObject({ ok: true });
    expect([sk.requests.length, rh.requests.length]).toEqual([1, 0]);
    s.ttsEngine = 'rhvoice';
    expect(await tts.synthesize('Второй', 'ru-RU')).toMatchObject({ ok: true });
    expect([sk.requests.length, rh.requests.length]).toEqual([1, 1]);
    // The same text voiced by the other engine is a different cache entry.
    expect(await tts.synthesize('Первый', 'ru-RU')).toMatchObject({ ok: true, cached: false });
    expect(rh.requests).toHaveLength(2);
    await e.cleanup();
  });

  it('configured follows the settings: SpeechKit without a key is not configured, RHVoice is', async () => {
    const { e, s, tts } = await ttsWith({ ttsEngine: 'yandex', yandexApiKey: '' });
    expect(await tts.isConfigured()).toBe(false);
    expect(tts.configured).toBe(false);
    const warned = await tts.preparer.prepare([{ text: 'Вопрос', lang: 'ru-RU' }]);
    expect(warned.warnings).toHaveLength(1);
    s.ttsEngine = 'rhvoice';
    expect(await tts.isConfigured()).toBe(true);
    expect(tts.configured).toBe(true); // isConfigured() just read the settings
    s.ttsEngine = 'yandex';
    s.yandexApiKey = FAKE_API_KEY;
    await new Promise((r) => setTimeout(r, 1100));
    tts.configured; // older than a second: starts a read in the background
    await new Promise((r) => setTimeout(r, 20));
    expect(tts.configured).toBe(true);
    expect(await tts.preparer.prepare([{ text: 'Вопрос', lang: 'ru-RU' }])).toEqual({ errors: [], warnings: [] });
    await e.cleanup();
  });

  it('without a settings source the environment chooses (TTS_ENGINE, RHVOICE_*)', async () => {
    const e = await freshEnv({ TTS_ENGINE: 'rhvoice', RHVOICE_URL: rh.url, RHVOICE_VOICE: 'aleksandr', RHVOICE_RATE: '33' });
    const tts = createTts(e.config.tts, e.dir, e.log);
    expect(tts.configured).toBe(true);
    expect(await tts.synthesize('Из окружения', 'ru-RU')).toMatchObject({ ok: true });
    expect(rh.requests[0]!.query).toMatchObject({ voice: 'aleksandr', rate: '33' });
    await e.cleanup();
  });
});
