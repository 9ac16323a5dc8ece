import { join, resolve } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { createFfmpegConverter } from '../media/ffmpeg.js';
import { pcmToWav } from '../media/wav.js';
import type { AudioConverter, PromptPreparer, PromptText } from '../ports.js';
import { createTtsCache, type TtsCache } from './cache.js';
import { createRhvoiceClient } from './rhvoice.js';
import { MAX_TEXT_LENGTH, speakableText, voiceFor } from './voice.js';
import { createSpeechKitClient, type SpeechKitClient } from './yandex.js';

/** Per-call prompts (params filled in) older than this are removed, checked at most once per PER_CALL_SWEEP_MS. */
const PER_CALL_MAX_AGE_MS = 24 * 3600_000;
const PER_CALL_SWEEP_MS = 3600_000;
/** How long the synchronous `configured` may rely on the settings it last read before reading them again. */
const CONFIGURED_REFRESH_MS = 1000;

export type TtsResult = { ok: true; wavPath: string; cached: boolean } | { ok: false; message: string };

/** A prompt to prepare; `label` (e.g. "question 2") names it in messages, else its position is used. */
export type LabelledPrompt = PromptText & { label?: string };

/** The settings text-to-speech reads at use time (a subset of the settings service's Settings). */
export interface TtsSettings {
  ttsEngine: 'yandex' | 'rhvoice';
  yandexApiKey: string;
  rhvoiceUrl: string;
  rhvoiceVoice: string;
  rhvoiceRate: number;
}

/** Where the engine and its settings come from: the settings reader (createSettingsReader) in the service. */
export interface TtsSettingsSource {
  current(): Promise<TtsSettings>;
}

export interface TtsOptions {
  /** Settings read before every synthesis, so a change applies to the next prompt; default = the environment's. */
  settings?: TtsSettingsSource;
  /** Converts RHVoice's wav to 8 kHz mono; default = ffmpeg (config.media.ffmpegPath via `ffmpegPath`). */
  converter?: AudioConverter;
  ffmpegPath?: string;
}

export interface Tts {
  /**
   * False when the chosen engine cannot speak (SpeechKit without an API key): text prompts are replaced by a beep.
   * Evaluated from the settings read last (at most CONFIGURED_REFRESH_MS old, a read is started when older);
   * `isConfigured()` reads them now.
   */
  readonly configured: boolean;
  /** `configured`, from the settings as they are now. */
  isConfigured(): Promise<boolean>;
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

/** The environment's TTS settings, for a Tts made without a settings source. */
function fixedSettingsValue(config: Config['tts']): TtsSettings {
  return { ttsEngine: config.engine, yandexApiKey: config.yandexApiKey ?? '', rhvoiceUrl: config.rhvoiceUrl, rhvoiceVoice: config.rhvoiceVoice, rhvoiceRate: config.rhvoiceRate };
}

function fixedSettings(config: Config['tts']): TtsSettingsSource {
  const s = fixedSettingsValue(config);
  return { current: async () => s };
}

const canSpeak = (s: TtsSettings) => (s.ttsEngine === 'rhvoice' ? s.rhvoiceUrl !== '' : s.yandexApiKey !== '');
const notConfigured = 'text-to-speech is not configured (YANDEX_API_KEY)';

/**
 * Text-to-speech with the engine the settings choose at use time: Yandex SpeechKit (`ttsEngine: 'yandex'`) or a
 * local RHVoice server (`'rhvoice'`). Without `opts.settings` the environment decides, as before settings existed.
 */
export function createTts(config: Config['tts'], dataDir: string, log: Logger, opts: TtsOptions = {}): Tts {
  const cache = createTtsCache(resolve(join(dataDir, 'tts')));
  const perCallCache = createTtsCache(join(cache.dir, 'calls'));
  const source = opts.settings ?? fixedSettings(config);
  let lastSweep = 0;
  const sweepPerCall = () => {
    if (Date.now() - lastSweep < PER_CALL_SWEEP_MS) return;
    lastSweep = Date.now();
    void perCallCache.sweep(PER_CALL_MAX_AGE_MS).then(
      (n) => n && log.info({ removed: n }, 'old per-call prompts removed'),
      (err: unknown) => log.warn({ err }, 'could not sweep per-call prompts'),
    );
  };
  // One SpeechKit client per key: a key changed in the settings takes effect with the next prompt.
  let speechKit: { key: string; client: SpeechKitClient } | undefined;
  const speechKitFor = (apiKey: string) => {
    if (speechKit?.key !== apiKey) speechKit = { key: apiKey, client: createSpeechKitClient({ url: config.yandexUrl, apiKey, timeoutMs: config.timeoutMs }) };
    return speechKit.client;
  };
  const rhvoice = createRhvoiceClient({
    timeoutMs: config.timeoutMs,
    converter: opts.converter ?? createFfmpegConverter({ ffmpegPath: opts.ffmpegPath, log }),
    tmpDir: join(cache.dir, 'tmp'),
  });
  // Concurrent calls needing the same new prompt share one request.
  const inFlight = new Map<string, Promise<TtsResult>>();

  // What `configured` answers synchronously: the settings read last, refreshed in the background when old.
  let known = { at: opts.settings ? 0 : Infinity, configured: canSpeak(fixedSettingsValue(config)) };
  let refreshing = false;
  const settingsNow = async (): Promise<TtsSettings> => {
    const s = await source.current();
    known = { at: Date.now(), configured: canSpeak(s) };
    return s;
  };
  const refreshKnown = () => {
    if (refreshing || Date.now() - known.at < CONFIGURED_REFRESH_MS) return;
    refreshing = true;
    void settingsNow()
      .catch(() => undefined)
      .finally(() => (refreshing = false));
  };
  if (opts.settings) refreshKnown();

  type Engine = { name: string; key: { voice: string; lang: string }; voice(text: string): Promise<{ ok: true; wav: Buffer } | { ok: false; message: string; kind?: string }> };

  function engineFor(s: TtsSettings, lang: string): Engine | undefined {
    if (s.ttsEngine === 'rhvoice') {
      const target = { url: s.rhvoiceUrl, voice: s.rhvoiceVoice, rate: s.rhvoiceRate };
      return {
        name: 'RHVoice',
        // The cache key holds the engine, the voice and the rate: a change of any of them voices the text anew.
        key: { voice: `rhvoice:${target.voice}:${target.rate}`, lang: '' },
        voice: (text) => rhvoice.synthesize(text, target),
      };
    }
    if (!s.yandexApiKey) return undefined;
    const v = voiceFor(lang);
    const client = speechKitFor(s.yandexApiKey);
    return {
      name: 'Yandex SpeechKit',
      key: v,
      voice: async (text) => {
        const r = await client.synthesize(text, v.voice, v.lang);
        return r.ok ? { ok: true, wav: pcmToWav(r.pcm) } : r;
      },
    };
  }

  async function voice(text: string, engine: Engine | undefined, path: string, store: TtsCache): Promise<TtsResult> {
    if (await store.has(path)) return { ok: true, wavPath: path, cached: true };
    if (!engine) return { ok: false, message: notConfigured };
    const r = await engine.voice(text);
    if (!r.ok) {
      log.warn({ engine: engine.name, kind: r.kind, chars: text.length }, r.message);
      return { ok: false, message: r.message };
    }
    await store.put(path, r.wav);
    if (store === perCallCache) sweepPerCall();
    log.debug({ path, engine: engine.name, chars: text.length }, 'prompt synthesised');
    return { ok: true, wavPath: path, cached: false };
  }

  async function synthesizeWith(s: TtsSettings, raw: string, lang: string, opts: { perCall?: boolean } = {}): Promise<TtsResult> {
    const text = speakableText(raw);
    if (!text) return { ok: false, message: 'the text to speak is empty' };
    if (text.length > MAX_TEXT_LENGTH) {
      const who = s.ttsEngine === 'rhvoice' ? 'RHVoice requests are limited to' : 'Yandex SpeechKit accepts at most';
      return { ok: false, message: `the text to speak is ${text.length} characters long; ${who} ${MAX_TEXT_LENGTH}` };
    }
    const engine = engineFor(s, lang);
    const key = engine?.key ?? voiceFor(lang);
    let store = cache;
    let path = cache.pathFor(text, key.voice, key.lang);
    if (opts.perCall && !(await cache.has(path))) {
      store = perCallCache;
      path = perCallCache.pathFor(text, key.voice, key.lang);
    }
    let p = inFlight.get(path);
    if (!p) {
      p = voice(text, engine, path, store).catch((err: Error) => ({ ok: false as const, message: `text-to-speech failed: ${err.message}` }));
      inFlight.set(path, p);
      void p.finally(() => inFlight.delete(path));
    }
    return p;
  }

  async function synthesize(raw: string, lang: string, o: { perCall?: boolean } = {}): Promise<TtsResult> {
    let s: TtsSettings;
    try {
      s = await settingsNow();
    } catch (err) {
      return { ok: false, message: `text-to-speech settings could not be read: ${(err as Error).message}` };
    }
    return synthesizeWith(s, raw, lang, o);
  }

  const preparer: PromptPreparer = {
    async prepare(prompts: LabelledPrompt[]) {
      const errors: string[] = [];
      const warnings: string[] = [];
      const s = await settingsNow();
      for (const [i, p] of prompts.entries()) {
        const label = p.label ?? `prompt ${i + 1} (${excerpt(p.text)})`;
        if (!canSpeak(s)) {
          warnings.push(`${notConfigured}: ${label} will play a beep`);
          continue;
        }
        const r = await synthesizeWith(s, p.text, p.lang);
        if (!r.ok) errors.push(`${label}: ${r.message}`);
      }
      return { errors, warnings };
    },
  };

  return {
    get configured() {
      refreshKnown();
      return known.configured;
    },
    isConfigured: async () => canSpeak(await settingsNow()),
    cacheDir: cache.dir,
    synthesize,
    preparer,
  };
}

/** The start of a prompt's text, to name it in a message. */
function excerpt(text: string): string {
  const t = speakableText(text);
  return JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}…` : t);
}
