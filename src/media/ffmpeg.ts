import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Logger } from '../logger.js';
import type { AudioConverter } from '../ports.js';
import { isAsteriskWav, parseWav } from './wav.js';

export interface FfmpegOptions {
  /** config.media.ffmpegPath (FFMPEG_PATH); defaults to the binary bundled by @ffmpeg-installer/ffmpeg. */
  ffmpegPath?: string;
  log: Logger;
  /** A conversion that takes longer is killed and reported (default 60 s). */
  timeoutMs?: number;
}

export function bundledFfmpegPath(): string {
  const require = createRequire(import.meta.url);
  return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
}

/**
 * Converts anything ffmpeg can read into `<outputBase>.wav`, 8 kHz mono signed 16-bit PCM, the format
 * Asterisk plays without transcoding. Writes to a temporary name and renames only after the result has
 * been verified, so a failed or junk upload leaves nothing behind and a replaced file is never half-written.
 */
export function createFfmpegConverter(opts: FfmpegOptions): AudioConverter {
  const ffmpeg = opts.ffmpegPath ?? bundledFfmpegPath();
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const log = opts.log;

  return {
    async convert(inputPath, outputBase) {
      const wavPath = `${outputBase}.wav`;
      const tmp = `${outputBase}.converting-${randomBytes(4).toString('hex')}.wav`;
      const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', '-i', inputPath, '-vn', '-map_metadata', '-1'];
      args.push('-ac', '1', '-ar', '8000', '-acodec', 'pcm_s16le', '-bitexact', '-f', 'wav', tmp);
      const started = Date.now();
      const run = await runProcess(ffmpeg, args, timeoutMs);
      try {
        if (run.kind === 'spawn-error') {
          return { ok: false, message: `audio conversion is unavailable: cannot run ffmpeg at ${ffmpeg} (${run.message})` };
        }
        if (run.kind === 'timeout') {
          return { ok: false, message: `audio conversion took longer than ${Math.round(timeoutMs / 1000)} s and was stopped` };
        }
        if (run.code !== 0) {
          log.info({ inputPath, stderr: run.stderr }, 'ffmpeg refused an upload');
          return { ok: false, message: `the uploaded file could not be read as audio (ffmpeg: ${lastLine(run.stderr)})` };
        }
        const info = parseWav(await readHead(tmp));
        if (!isAsteriskWav(info)) {
          return { ok: false, message: 'the uploaded file could not be read as audio (no sound was decoded from it)' };
        }
        await rename(tmp, wavPath);
        log.debug({ inputPath, wavPath, ms: Date.now() - started }, 'audio converted');
        return { ok: true, wavPath };
      } finally {
        await rm(tmp, { force: true });
      }
    },
  };
}

type RunResult =
  | { kind: 'exit'; code: number | null; stderr: string }
  | { kind: 'timeout' }
  | { kind: 'spawn-error'; message: string };

/** Run without a shell; stderr is kept (bounded) for the error message. */
function runProcess(cmd: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let settled = false;
    const settle = (r: RunResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      child.once('close', () => settle({ kind: 'timeout' }));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 8192) stderr += d.toString('utf8');
    });
    child.on('error', (err) => settle({ kind: 'spawn-error', message: err.message }));
    child.on('close', (code) => {
      if (!child.killed) settle({ kind: 'exit', code, stderr });
    });
  });
}

/** The header plus enough of the file to find the data chunk (ffmpeg may write a LIST chunk first). */
async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return Buffer.alloc(0);
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(Math.min(size, 4096));
    await fh.read(buf, 0, buf.length, 0);
    return buf;
  } finally {
    await fh.close();
  }
}

function lastLine(s: string): string {
  const lines = s.trim().split('\n').filter(Boolean);
  return (lines[lines.length - 1] ?? 'no details').slice(0, 300);
}
