import { join, resolve } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { pcmToWav } from '../media/wav.js';
import type { PromptPreparer, PromptText } from '../ports.js';
import { createTtsCache, type TtsCache } from './cache.js';
import { MAX_TEXT_LENGTH, speakableText, voiceFor } from './voice.js';
import { createSpeechKitClient } from './yandex.js';

/** Per-call prompts (params filled in) older than this are removed, checked at most once per PER_CALL_SWEEP_MS. */
const PER_CALL_MAX_AGE_MS = 24 * 3600_000;
const PER_CALL_SWEEP_MS = 3600_000;

export type TtsResult = { ok: true; wavPath: string; cached: boolean } | { ok: false; message: string };

/** A prompt to prepare; `label` (e.g. "question 2") names it in messages, else its position is used. */
export type LabelledPrompt = PromptText & { label?: string };

export interface Tts {
  /** False when YANDEX_API_KEY is not set: text prompts are replaced by a beep. */
  readonly configured: boolean;
  /** Absolute directory of the cached wav files. */
  readonly cacheDir: string;
  /**
   * Voice `text` in `lang` (cached); the wav path is what the survey plays. `perCall` marks text made for
   * one number (params filled in): it is kept apart and removed after a day, as the original's tts-additional.
   */
  synthesize(text: string, lang: string, opts?: { perCall?: boolean }): Promise<TtsResult>;
  /** Voices prompts when a polling is saved, so a broken key or text is reported at once. */
  readonly preparer: PromptPreparer;
}

export function createTts(config: Config['tts'], dataDir: string, log: Logger): Tts {
  const cache = createTtsCache(resolve(join(dataDir, 'tts')));
  const perCallCache = createTtsCache(join(cache.dir, 'calls'));
  let lastSweep = 0;
  const sweepPerCall = () => {
    if (Date.now() - lastSweep < PER_CALL_SWEEP_MS) return;
    lastSweep = Date.now();
    void perCallCache.sweep(PER_CALL_MAX_AGE_MS).then(
      (n) => n && log.info({ removed: n }, 'old per-call prompts removed'),
      (err: unknown) => log.warn({ err }, 'could not sweep per-call prompts'),
    );
  };
  const apiKey = config.yandexApiKey;
  const client = apiKey ? createSpeechKitClient({ url: config.yandexUrl, apiKey, timeoutMs: config.timeoutMs }) : undefined;
  // Concurrent calls needing the same new prompt share one request.
  const inFlight = new Map<string, Promise<TtsResult>>();

  async function voice(text: string, voiceName: string, lang: string, path: string, store: TtsCache): Promise<TtsResult> {
    if (await store.has(path)) return { ok: true, wavPath: path, cached: true };
    if (!client) return { ok: false, message: 'text-to-speech is not configured (YANDEX_API_KEY)' };
    const r = await client.synthesize(text, voiceName, lang);
    if (!r.ok) {
      log.warn({ kind: r.kind, lang, chars: text.length }, r.message);
      return { ok: false, message: r.message };
    }
    await store.put(path, pcmToWav(r.pcm));
    if (store === perCallCache) sweepPerCall();
    log.debug({ path, lang, chars: text.length }, 'prompt synthesised');
    return { ok: true, wavPath: path, cached: false };
  }

  async function synthesize(raw: string, lang: string, opts: { perCall?: boolean } = {}): Promise<TtsResult> {
    const text = speakableText(raw);
    if (!text) return { ok: false, message: 'the text to speak is empty' };
    if (text.length > MAX_TEXT_LENGTH) {
      return { ok: false, message: `the text to speak is ${text.length} characters long; Yandex SpeechKit accepts at most ${MAX_TEXT_LENGTH}` };
    }
    const v = voiceFor(lang);
    let store = cache;
    let path = cache.pathFor(text, v.voice, v.lang);
    if (opts.perCall && !(await cache.has(path))) {
      store = perCallCache;
      path = perCallCache.pathFor(text, v.voice, v.lang);
    }
    let p = inFlight.get(path);
    if (!p) {
      p = voice(text, v.voice, v.lang, path, store).catch((err: Error) => ({ ok: false as const, message: `text-to-speech failed: ${err.message}` }));
      inFlight.set(path, p);
      void p.finally(() => inFlight.delete(path));
    }
    return p;
  }

  const preparer: PromptPreparer = {
    async prepare(prompts: LabelledPrompt[]) {
      const errors: string[] = [];
      const warnings: string[] = [];
      for (const [i, p] of prompts.entries()) {
        const label = p.label ?? `prompt ${i + 1} (${excerpt(p.text)})`;
        if (!client) {
          warnings.push(`text-to-speech is not configured (YANDEX_API_KEY): ${label} will play a beep`);
          continue;
        }
        const r = await synthesize(p.text, p.lang);
        if (!r.ok) errors.push(`${label}: ${r.message}`);
      }
      return { errors, warnings };
    },
  };

  return { configured: !!client, cacheDir: cache.dir, synthesize, preparer };
}

/** The start of a prompt's text, to name it in a message. */
function excerpt(text: string): string {
  const t = speakableText(text);
  return JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}…` : t);
}
