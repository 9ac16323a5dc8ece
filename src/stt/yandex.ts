import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import type { Logger } from '../logger.js';
import type { AudioConverter, RecognizeResult, SpeechRecognizer } from '../ports.js';
import { isAsteriskFormat, wavPcm } from '../media/wav.js';

/** The settings recognition reads at use time (a subset of the settings service's Settings). */
export interface SttSettings {
  yandexApiKey: string;
  yandexFolderId: string;
}

export interface YandexRecognizerOptions {
  /** config.stt.yandexUrl (YANDEX_STT_URL): https://stt.api.cloud.yandex.net/speech/v1/stt:recognize */
  url: string;
  settings: { current(): Promise<SttSettings> };
  /** Converts a recording that is not 8 kHz mono 16-bit (ffmpeg in the service). */
  converter: AudioConverter;
  /** Scratch space for such conversions. */
  tmpDir: string;
  log: Logger;
  /** The whole recognition, conversion included (default 10 s, as v1.35). */
  timeoutMs?: number;
}

/** SpeechKit STT v1 takes at most 1 MB of audio: about 65 s of 8 kHz 16-bit speech. */
const MAX_PCM_BYTES = 1024 * 1024;

/**
 * Yandex SpeechKit STT v1 (as ModuleAutoDialer v1.35's YandexRecognize): the recording's raw 16-bit 8 kHz PCM
 * POSTed to `<url>?lang&format=lpcm&sampleRateHertz=8000&topic=general&folderId`, authorised with `Api-Key`;
 * the answer's JSON `result` is the text. Never throws; bounded by `timeoutMs` and the caller's signal.
 */
export function createYandexRecognizer(opts: YandexRecognizerOptions): SpeechRecognizer {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const log = opts.log;

  /** The recording's PCM, converted by ffmpeg when it is not already 8 kHz mono 16-bit. */
  async function pcmOf(wavPath: string): Promise<{ ok: true; pcm: Buffer } | { ok: false; message: string }> {
    const bytes = await readFile(wavPath).catch((e: NodeJS.ErrnoException) => e);
    if (bytes instanceof Error) return { ok: false, message: `the recording ${wavPath} cannot be read (${bytes.code ?? bytes.message})` };
    const parsed = wavPcm(bytes);
    if (parsed && isAsteriskFormat(parsed.format)) return { ok: true, pcm: parsed.pcm };
    await mkdir(opts.tmpDir, { recursive: true });
    const base = join(opts.tmpDir, `stt-${randomBytes(6).toString('hex')}`);
    try {
      const r = await opts.converter.convert(wavPath, base);
      if (!r.ok) return { ok: false, message: `the recording could not be converted for recognition: ${r.message}` };
      const converted = wavPcm(await readFile(r.wavPath));
      return converted ? { ok: true, pcm: converted.pcm } : { ok: false, message: 'the converted recording is not a PCM wav' };
    } finally {
      await rm(`${base}.wav`, { force: true });
    }
  }

  async function recognize(wavPath: string, lang: string, signal?: AbortSignal): Promise<RecognizeResult> {
    const started = Date.now();
    const s = await opts.settings.current();
    if (!s.yandexApiKey || !s.yandexFolderId) return { ok: false, message: 'speech recognition is not configured (yandexApiKey and yandexFolderId)' };
    const deadline = AbortSignal.timeout(timeoutMs);
    const stop = signal ? AbortSignal.any([deadline, signal]) : deadline;
    const audio = await Promise.race([pcmOf(wavPath), aborted(stop)]);
    if (!audio) return stoppedBy(signal, timeoutMs);
    if (!audio.ok) return audio;
    if (audio.pcm.length === 0) return { ok: false, message: 'the recording is empty' };
    const pcm = audio.pcm.length > MAX_PCM_BYTES ? audio.pcm.subarray(0, MAX_PCM_BYTES) : audio.pcm;

    const url = new URL(opts.url);
    url.searchParams.set('lang', lang.trim() || 'ru-RU');
    url.searchParams.set('format', 'lpcm');
    url.searchParams.set('sampleRateHertz', '8000');
    url.searchParams.set('topic', 'general');
    url.searchParams.set('folderId', s.yandexFolderId);
    const left = Math.max(1, timeoutMs - (Date.now() - started));
    let res;
    try {
      res = await request(url, {
        method: 'POST',
        headers: { authorization: `Api-Key ${s.yandexApiKey}`, 'content-type': 'application/octet-stream' },
        body: pcm,
        signal: stop,
        headersTimeout: left,
        bodyTimeout: left,
      });
    } catch (err) {
      const e = err as Error & { code?: string };
      if (stop.aborted || /Timeout/.test(e.code ?? '')) return stoppedBy(signal, timeoutMs);
      return { ok: false, message: `Yandex SpeechKit STT is unreachable (${e.code ?? e.message})` };
    }
    let body: string;
    try {
      body = await res.body.text();
    } catch {
      return stoppedBy(signal, timeoutMs);
    }
    let json: { result?: unknown; error_message?: string; error_code?: string } | undefined;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    if (res.statusCode !== 200) {
      const said = (json?.error_message ?? json?.error_code ?? body.slice(0, 300)).trim();
      const who = res.statusCode === 401 || res.statusCode === 403 ? ' (check yandexApiKey and yandexFolderId)' : '';
      return { ok: false, message: `Yandex SpeechKit STT failed with HTTP ${res.statusCode}${who}${said ? `: ${said}` : ''}` };
    }
    if (typeof json?.result !== 'string') return { ok: false, message: 'Yandex SpeechKit STT answered without a "result" text' };
    log.debug({ wavPath, chars: json.result.length, ms: Date.now() - started }, 'speech recognised');
    return { ok: true, text: json.result };
  }

  return {
    configured: async () => {
      const s = await opts.settings.current();
      return s.yandexApiKey !== '' && s.yandexFolderId !== '';
    },
    recognize: (wavPath, lang, signal) =>
      recognize(wavPath, lang, signal).catch((err: Error) => ({ ok: false as const, message: `speech recognition failed: ${err.message}` })),
  };
}

/** Resolves undefined when the signal fires (a conversion is not waited for past the deadline). */
function aborted(signal: AbortSignal): Promise<undefined> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(undefined);
    signal.addEventListener('abort', () => resolve(undefined), { once: true });
  });
}

function stoppedBy(signal: AbortSignal | undefined, timeoutMs: number): RecognizeResult {
  return signal?.aborted
    ? { ok: false, message: 'speech recognition was cancelled (the call ended)' }
    : { ok: false, message: `Yandex SpeechKit STT did not answer within ${timeoutMs} ms` };
}
