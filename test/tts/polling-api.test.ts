import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { idleDialer, type AudioConverter } from '../../src/ports.js';
import { createTts } from '../../src/tts/index.js';
import { FAKE_API_KEY, startFakeSpeechKit, type FakeSpeechKit } from '../fakes/speechkit.js';
import { freshEnv } from '../helpers/env.js';
import { SEED_POLLING } from '../survey/fixtures.js';

const BASE = '/pbxcore/api/module-dialer/v1';
const LOCAL = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };
const noAudio: AudioConverter = { convert: async () => ({ ok: false, message: 'unused' }) };

let fake: FakeSpeechKit;
beforeAll(async () => {
  fake = await startFakeSpeechKit();
});
afterAll(() => fake.close());

async function apiWith(key: string | undefined) {
  const env = await freshEnv({ YANDEX_TTS_URL: fake.url, ...(key ? { YANDEX_API_KEY: key } : {}) });
  const tts = createTts(env.config.tts, env.dir, env.log);
  const app = createApp({ config: env.config, db: env.db, log: env.log, dialer: idleDialer, audio: noAudio, prompts: tts.preparer });
  const post = async (body: unknown) => {
    const res = await app.request(`${BASE}/polling`, { method: 'POST', body: JSON.stringify(body) }, LOCAL);
    return (await res.json()) as { result: boolean; data: unknown; messages: unknown };
  };
  const list = async () => ((await (await app.request(`${BASE}/polling`, {}, LOCAL)).json()) as { data: { results: unknown[] } }).data.results;
  return { env, tts, post, list };
}

describe('POST /polling voices its prompts when it is saved', () => {
  it("the seed's example is voiced at once, so calls only read the cache", async () => {
    fake.requests.length = 0;
    const a = await apiWith(FAKE_API_KEY);
    const r = await a.post(SEED_POLLING);
    expect(r.result).toBe(true);
    expect(fake.requests.map((q) => q.form.text)).toEqual([
      SEED_POLLING.questions[0].questionText,
      'Спасибо за выбор этого товара',
      'Спасибо за ваш ответ',
    ]);
    expect(await a.tts.synthesize('"Спасибо за ваш ответ"', 'ru-RU')).toMatchObject({ ok: true, cached: true });
    await a.env.cleanup();
  });

  it('a key SpeechKit rejects refuses the polling with the reason, and saves nothing', async () => {
    const a = await apiWith('revoked-key');
    const r = await a.post(SEED_POLLING);
    expect(r.result).toBe(false);
    expect(JSON.stringify(r.messages)).toContain('Yandex SpeechKit rejected the API key');
    expect(await a.list()).toEqual([]);
    await a.env.cleanup();
  });

  it('without YANDEX_API_KEY the polling is saved with a warning per text prompt', async () => {
    fake.requests.length = 0;
    const a = await apiWith(undefined);
    const r = await a.post(SEED_POLLING);
    expect(r.result).toBe(true);
    expect(JSON.stringify(r.messages)).toContain('text-to-speech is not configured (YANDEX_API_KEY)');
    expect(JSON.stringify(r.messages)).toContain('will play a beep');
    expect(fake.requests).toHaveLength(0);
    await a.env.cleanup();
  });
});
