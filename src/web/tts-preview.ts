import { readFile } from 'node:fs/promises';
import type { SpeechPreview } from '../api/deps.js';
import { speakableText } from '../tts/voice.js';
import type { CockpitError, TtsPreviewRequest } from './api-types.js';

/** Characters a preview may speak: a question's prompt, not a document (each preview is a paid request). */
export const PREVIEW_MAX_CHARS = 1000;
/**
 * The `lang` values the engine voices differently (src/tts/voice.ts voiceFor; "en-en" is v1.35's spelling); any
 * other value would silently be spoken in Russian, so it is refused instead.
 */
export const PREVIEW_LANGS = ['ru-RU', 'en-US', 'en-en', 'uz-UZ'] as const;

export type PreviewAnswer = { ok: true; wav: Buffer } | { ok: false; status: 400 | 502 | 503; body: CockpitError };

const bad = (field: string, error: string): PreviewAnswer => ({ ok: false, status: 400, body: { error, field } });

/**
 * POST /cockpit/api/tts-preview: the text voiced by the engine the calls use (the same cache, so a previewed
 * prompt costs nothing when a call plays it). No engine → 503; the engine failing → 502 with its words.
 */
/**
 * The engine; `isConfigured` (src/tts's Tts has it) tells "no key set" (503) from a failing engine (502) before a
 * request is made.
 */
export type PreviewEngine = SpeechPreview & { isConfigured?: () => Promise<boolean> };

export async function ttsPreview(speech: PreviewEngine | undefined, body: unknown): Promise<PreviewAnswer> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return bad('text', 'The request body must be a JSON object {text, lang?}');
  const { text, lang } = body as Partial<Record<keyof TtsPreviewRequest, unknown>>;
  if (typeof text !== 'string' || text.trim() === '') return bad('text', 'Field "text" must be a non-empty string');
  if (text.length > PREVIEW_MAX_CHARS) return bad('text', `Field "text" is ${text.length} characters long; at most ${PREVIEW_MAX_CHARS}`);
  if (speakableText(text) === '') return bad('text', 'Field "text" has nothing to speak once markup is removed');
  if (lang !== undefined && lang !== null && (typeof lang !== 'string' || !(PREVIEW_LANGS as readonly string[]).includes(lang))) {
    return bad('lang', `Field "lang" must be one of ${PREVIEW_LANGS.join(', ')}`);
  }
  if (!speech) return { ok: false, status: 503, body: { error: 'Text-to-speech is not available on this server' } };
  if (speech.isConfigured && !(await speech.isConfigured())) {
    return { ok: false, status: 503, body: { error: 'Text-to-speech is not configured: set the Yandex API key or an RHVoice server in the settings' } };
  }
  // perCall: a draft's voice is swept after a day, not kept in the prompt cache for ever
  const voiced = await speech.synthesize(text, typeof lang === 'string' ? lang : 'ru-RU', { perCall: true });
  if (!voiced.ok) return { ok: false, status: 502, body: { error: voiced.message } };
  try {
    return { ok: true, wav: await readFile(voiced.wavPath) };
  } catch (err) {
    return { ok: false, status: 502, body: { error: `the voiced file could not be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` } };
  }
}
