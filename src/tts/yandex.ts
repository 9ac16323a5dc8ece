import { request } from 'undici';

/** Outcome of one SpeechKit request; failures carry a message a user can act on. */
export type SynthesisResult =
  | { ok: true; pcm: Buffer }
  | { ok: false; kind: 'auth' | 'rejected' | 'service' | 'network' | 'timeout'; message: string };

export interface SpeechKitOptions {
  /** Full synthesize URL (config.tts.yandexUrl), e.g. https://tts.api.cloud.yandex.net/speech/v1/tts:synthesize */
  url: string;
  apiKey: string;
  timeoutMs: number;
}

/**
 * Yandex SpeechKit v1 over undici: a form POST authenticated with `Api-Key`, answering raw signed 16-bit
 * little-endian mono PCM at 8 kHz (format=lpcm), which is what Asterisk plays once wrapped in a wav header.
 */
export function createSpeechKitClient(opts: SpeechKitOptions) {
  return {
    async synthesize(text: string, voice: string, lang: string): Promise<SynthesisResult> {
      const form = new URLSearchParams({ lang, format: 'lpcm', sampleRateHertz: '8000', voice, speed: '1.0', text });
      let res;
      try {
        res = await request(opts.url, {
          method: 'POST',
          headers: { authorization: `Api-Key ${opts.apiKey}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
          signal: AbortSignal.timeout(opts.timeoutMs),
          headersTimeout: opts.timeoutMs,
          bodyTimeout: opts.timeoutMs,
        });
      } catch (err) {
        const e = err as Error & { code?: string };
        if (e.name === 'TimeoutError' || e.name === 'AbortError' || /Timeout/.test(e.code ?? '')) {
          return { ok: false, kind: 'timeout', message: `Yandex SpeechKit did not answer within ${opts.timeoutMs} ms` };
        }
        return { ok: false, kind: 'network', message: `Yandex SpeechKit is unreachable (${e.code ?? e.message})` };
      }
      let body: Buffer;
      try {
        body = Buffer.from(await res.body.arrayBuffer());
      } catch {
        return { ok: false, kind: 'timeout', message: `Yandex SpeechKit did not finish its answer within ${opts.timeoutMs} ms` };
      }
      if (res.statusCode === 200) {
        if (body.length === 0) return { ok: false, kind: 'service', message: 'Yandex SpeechKit answered with no audio' };
        return { ok: true, pcm: body };
      }
      const said = errorText(body);
      if (res.statusCode === 401 || res.statusCode === 403) {
        return { ok: false, kind: 'auth', message: `Yandex SpeechKit rejected the API key (YANDEX_API_KEY)${said ? `: ${said}` : ''}` };
      }
      if (res.statusCode === 400) {
        return { ok: false, kind: 'rejected', message: `Yandex SpeechKit refused the text: ${said || 'bad request'}` };
      }
      return { ok: false, kind: 'service', message: `Yandex SpeechKit failed with HTTP ${res.statusCode}${said ? `: ${said}` : ''}` };
    },
  };
}

export type SpeechKitClient = ReturnType<typeof createSpeechKitClient>;

/** SpeechKit errors are JSON {error_code, error_message}; anything else is shown trimmed. */
function errorText(body: Buffer): string {
  const raw = body.toString('utf8').slice(0, 2000);
  try {
    const j = JSON.parse(raw) as { error_message?: string; message?: string; error_code?: string };
    return (j.error_message ?? j.message ?? j.error_code ?? '').trim();
  } catch {
    return raw.trim().slice(0, 300);
  }
}
