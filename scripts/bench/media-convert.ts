/**
 * How long POST /audio's conversion takes for a typical prompt: a 60 s 44.1 kHz stereo mp3 → 8 kHz mono wav.
 * Target: under 0.5 s. Run: npx tsx scripts/bench/media-convert.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { bundledFfmpegPath, createFfmpegConverter } from '../../src/media/ffmpeg.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-media-'));
const mp3 = join(dir, 'speech.mp3');
const ffmpeg = bundledFfmpegPath();
execFileSync(ffmpeg, ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=300:duration=60', '-ar', '44100', '-ac', '2', '-b:a', '128k', mp3]);
const converter = createFfmpegConverter({ log: pino({ level: 'silent' }) });

const runs: number[] = [];
for (let i = 0; i < 6; i++) {
  const t = process.hrtime.bigint();
  const r = await converter.convert(mp3, join(dir, `out${i}`));
  runs.push(Number(process.hrtime.bigint() - t) / 1e6);
  if (!r.ok) throw new Error(r.message);
}
const warm = runs.slice(1).sort((a, b) => a - b);
const median = warm[Math.floor(warm.length / 2)];
process.stdout.write(
  `media-convert: 60 s mp3 (44.1 kHz stereo, ${(statSync(mp3).size / 1024).toFixed(0)} KiB) → 8 kHz mono wav\n` +
    `  first run ${runs[0].toFixed(0)} ms, median of ${warm.length} warm runs ${median.toFixed(0)} ms (target < 500 ms): ${median < 500 ? 'OK' : 'SLOW'}\n`,
);
rmSync(dir, { recursive: true, force: true });
