import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import type { AudioConverter } from '../ports.js';
import { latinToCyrillic } from './translit.js';
import { isAsteriskFormat, pcmToWav, wavPcm } from '../media/wav.js';

/** Where and how RHVoice speaks (settings rhvoiceUrl, rhvoiceVoice, rhvoiceRate). */
export interface RhvoiceTarget {
  url: string;
  voice: string;
  rate: number;
}

export type RhvoiceResult = { ok: true; wav: Buffer; tries: number } | { ok: false; message: string };

export interface RhvoiceOptions {
  /** The whole synthesis, every try included, ends within this (config.tts.timeoutMs). */
  timeoutMs: number;
  /** Converts RHVoice's wav (24 kHz for most voices) to 8 kHz mono 16-bit. */
  converter: AudioConverter;
  /** Scratch space for the conversion (inside the TTS cache directory). */
  tmpDir: string;
  /**
   * An answer with less audio than this is a failed synthesis, asked again (default 300 ms). v1.35 asked for 16000
   * bytes, about 330 ms of RHVoice's 24 kHz audio; counted in time, an 8 kHz answer is judged the same.
   */
  minMs?: number;
  /** As v1.35: at most this many requests per text (default 3). */
  tries?: number;
}

/**
 * A local RHVoice server (rhvoice-rest, as MikoPBX's ModuleRHVoice runs it) over undici:
 * `GET <url>?text&voice&format=wav&rate`. Latin text is spelled in Cyrillic first, as v1.35 does.
 */
export function createRhvoiceClient(opts: RhvoiceOptions) {
  const minMs = opts.minMs ?? 300;
  const tries = opts.tries ?? 3;

  async function fetchOnce(target: RhvoiceTarget, text: string, timeoutMs: number): Promise<{ ok: true; body: Buffer } | { ok: false; retry: boolean; message: string }> {
    const url = new URL(target.url);
    url.searchParams.set('text', text);
    url.searchParams.set('voice', target.voice);
    url.searchParams.set('format', 'wav');
    url.searchParams.set('rate', String(target.rate));
    let res;
    try {
      res = await request(url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs), headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    } catch (err) {
      const e = err as Error & { code?: string };
      if (e.name === 'TimeoutError' || e.name === 'AbortError' || /Timeout/.test(e.code ?? '')) {
        return { ok: false, retry: false, message: `RHVoice did not answer within ${opts.timeoutMs} ms` };
      }
      return { ok: false, retry: true, message: `RHVoice is unreachable at ${target.url} (${e.code ?? e.message})` };
    }
    let body: Buffer;
    try {
      body = Buffer.from(await res.body.arrayBuffer());
    } catch {
      return { ok: false, retry: false, message: `RHVoice did not finish its answer within ${opts.timeoutMs} ms` };
    }
    if (res.statusCode !== 200) {
      const said = body.toString('utf8', 0, Math.min(body.length, 300)).trim();
      return { ok: false, retry: res.statusCode >= 500, message: `RHVoice failed with HTTP ${res.statusCode}${said ? `: ${said}` : ''}` };
    }
    const ms = audioMs(body);
    if (ms < minMs) {
      return { ok: false, retry: true, message: `RHVoice answered ${Math.round(ms)} ms of audio, too little for a spoken prompt (at least ${minMs} ms)` };
    }
    return { ok: true, body };
  }

  /** 8 kHz mono 16-bit as it is; anything else through ffmpeg. */
  async function toAsteriskWav(body: Buffer): Promise<{ ok: true; wav: Buffer } | { ok: false; message: string }> {
    const parsed = wavPcm(body);
    if (parsed && isAsteriskFormat(parsed.format) && parsed.pcm.length > 0) return { ok: true, wav: pcmToWav(parsed.pcm) };
    await mkdir(opts.tmpDir, { recursive: true });
    const base = join(opts.tmpDir, `rhvoice-${randomBytes(6).toString('hex')}`);
    try {
      await writeFile(`${base}.in`, body);
      const r = await opts.converter.convert(`${base}.in`, `${base}.out`);
      if (!r.ok) return { ok: false, message: `RHVoice's audio could not be converted: ${r.message}` };
      return { ok: true, wav: await readFile(r.wavPath) };
    } finally {
      await Promise.all([rm(`${base}.in`, { force: true }), rm(`${base}.out.wav`, { force: true })]);
    }
  }

  return {
    async synthesize(rawText: string, target: RhvoiceTarget): Promise<RhvoiceResult> {
      const text = latinToCyrillic(rawText);
      const deadline = Date.now() + opts.timeoutMs;
      let last = 'RHVoice was not asked';
      for (let i = 1; i <= tries; i++) {
        const left = deadline - Date.now();
        if (left <= 0) return { ok: false, message: `RHVoice did not answer within ${opts.timeoutMs} ms` };
        const r = await fetchOnce(target, text, left);
        if (r.ok) {
          const wav = await toAsteriskWav(r.body);
          return wav.ok ? { ok: true, wav: wav.wav, tries: i } : wav;
        }
        last = r.message;
        if (!r.retry) break;
      }
      return { ok: false, message: last };
    },
  };
}

/** Length of a wav's audio; a body that is not a PCM wav is judged by its size as v1.35 did (16000 bytes ≈ 330 ms). */
function audioMs(body: Buffer): number {
  const w = wavPcm(body);
  if (!w) return body.length >= 16000 ? Infinity : 0;
  const bytesPerSecond = (w.format.sampleRate * w.format.channels * w.format.bitsPerSample) / 8;
  return bytesPerSecond > 0 ? (w.pcm.length / bytesPerSecond) * 1000 : 0;
}

export type RhvoiceClient = ReturnType<typeof createRhvoiceClient>;
