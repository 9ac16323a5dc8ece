import { stat } from 'node:fs/promises';
import { extname, isAbsolute } from 'node:path';
import type { Logger } from '../../src/logger.js';
import type { Tts } from '../../src/tts/index.js';
import { substituteParams } from './params.js';

/** Something to play: the media URI Asterisk accepts and how long it should take (to bound the wait). */
export interface Prompt {
  uri: string;
  nominalMs: number;
  /** Where it came from, for logs. */
  source: 'file' | 'tts' | 'beep';
}

/** Played in place of a text prompt that cannot be voiced (TTS not configured or failing). */
export const BEEP: Prompt = { uri: 'sound:beep', nominalMs: 500, source: 'beep' };
/** Asterisk's cap on a prompt of unknown length, as the original's TIMEOUT(absolute)=120. */
const UNKNOWN_LENGTH_MS = 120_000;

export type PromptTts = Pick<Tts, 'configured' | 'synthesize'>;

/**
 * Resolves prompts at call time: an uploaded file when it exists, else the text voiced by TTS with the
 * number's params filled in, else a beep. Asterisk is given `sound:<absolute path without extension>`
 * and picks the .wav itself.
 */
export function createPromptResolver(tts: PromptTts, log: Logger) {
  async function fromFile(path: string | null | undefined): Promise<Prompt | undefined> {
    if (!path || !isAbsolute(path)) return undefined;
    const base = path.slice(0, path.length - extname(path).length);
    const wav = await stat(`${base}.wav`).catch(() => undefined);
    if (wav?.isFile()) return { uri: `sound:${base}`, nominalMs: wavMs(wav.size), source: 'file' };
    const other = await stat(path).catch(() => undefined);
    if (other?.isFile()) return { uri: `sound:${base}`, nominalMs: UNKNOWN_LENGTH_MS, source: 'file' };
    log.warn({ path }, 'prompt file does not exist');
    return undefined;
  }

  async function fromText(text: string | null | undefined, lang: string, params: Record<string, unknown>, perCall = false): Promise<Prompt | undefined> {
    if (!text || !text.trim()) return undefined;
    if (!tts.configured) return BEEP;
    const filled = substituteParams(text, params);
    const r = await tts.synthesize(filled, lang, { perCall: perCall || filled !== text });
    if (!r.ok) {
      log.warn({ reason: r.message }, 'text prompt could not be voiced; playing a beep instead');
      return BEEP;
    }
    const s = await stat(r.wavPath).catch(() => undefined);
    const base = r.wavPath.slice(0, -'.wav'.length);
    return { uri: `sound:${base}`, nominalMs: s ? wavMs(s.size) : UNKNOWN_LENGTH_MS, source: 'tts' };
  }

  return {
    /** A question: its file (no placeholders in audio), else its text. Undefined when it has neither. */
    async question(q: { questionFile: string | null; questionText: string | null; lang: string }, params: Record<string, unknown>) {
      return (await fromFile(q.questionFile)) ?? (await fromText(q.questionText, q.lang, params));
    },
    /** A playback action's value: a file path or a text, as valueOptions says (guessed from the value when unset). */
    async playback(value: string | null, valueOptions: string | null, lang: string, params: Record<string, unknown>) {
      if (!value) return undefined;
      const asFile = valueOptions === 'file' || (valueOptions !== 'text' && isAbsolute(value));
      return asFile ? fromFile(value) : fromText(value, lang, params);
    },
    /**
     * A text made for this call only (a confirmation read-back, a CRM's answer): voiced as is, no placeholders,
     * kept with the per-call prompts. Undefined when it is empty; a beep when it cannot be voiced.
     */
    async callText(text: string, lang: string) {
      return fromText(text, lang, {}, true);
    },
  };
}

export type PromptResolver = ReturnType<typeof createPromptResolver>;

/** Length of an 8 kHz 16-bit mono wav from its size. */
const wavMs = (bytes: number) => Math.max(0, ((bytes - 44) / 16000) * 1000);
