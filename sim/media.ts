/**
 * How long a media URI plays: the few stock sounds the recording used, and absolute paths looked up
 * on disk like Asterisk's file formats do (<path>.wav/.gsm/.ulaw/.alaw/.sln16/.sln).
 * `null` = the file does not exist (PlaybackFinished state=failed); `Infinity` = loops (tone:).
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';

const STOCK_SOUNDS: Record<string, number> = {
  beep: 440,
  'custom/dialer-announcement': 5300,
  'custom/short-tone': 1000,
  'hello-world': 1400,
  'vm-goodbye': 900,
  'auth-thankyou': 1000,
  'demo-congrats': 10_000,
  'queue-thankyou': 2000,
  'pls-hold-while-try': 2200,
};

/** bytes per second of the raw formats Asterisk can play */
const RAW_RATE: Record<string, number> = { gsm: 1650, ulaw: 8000, alaw: 8000, sln: 16000, sln16: 32000 };
const EXTENSIONS = ['wav', 'gsm', 'ulaw', 'alaw', 'sln16', 'sln'];
const cache = new Map<string, { mtimeMs: number; ms: number | null }>();

function wavDurationMs(file: string): number | null {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const n = readSync(fd, buf, 0, buf.length, 0);
    if (n < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') return null;
    let off = 12;
    let byteRate = 0;
    while (off + 8 <= n) {
      const id = buf.toString('ascii', off, off + 4);
      const size = buf.readUInt32LE(off + 4);
      if (id === 'fmt ' && off + 16 <= n) byteRate = buf.readUInt32LE(off + 16);
      if (id === 'data') {
        if (!byteRate) return null;
        const total = statSync(file).size;
        const dataSize = Math.min(size, total - off - 8);
        return Math.round((dataSize / byteRate) * 1000);
      }
      off += 8 + size + (size % 2);
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

function fileDurationMs(base: string): number | null {
  for (const ext of EXTENSIONS) {
    const file = `${base}.${ext}`;
    let st;
    try {
      st = statSync(file);
    } catch {
      continue;
    }
    const hit = cache.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs) return hit.ms;
    const ms = ext === 'wav' ? wavDurationMs(file) : Math.round((st.size / RAW_RATE[ext]!) * 1000);
    cache.set(file, { mtimeMs: st.mtimeMs, ms });
    return ms;
  }
  return null;
}

export function mediaDurationMs(uri: string): number | null {
  const colon = uri.indexOf(':');
  const scheme = uri.slice(0, colon);
  const rest = uri.slice(colon + 1);
  switch (scheme) {
    case 'sound': {
      if (rest.startsWith('/')) return fileDurationMs(rest.replace(/\.(wav|gsm|ulaw|alaw|sln16|sln)$/, ''));
      const silence = /^silence\/(\d+)$/.exec(rest);
      if (silence) return Number(silence[1]) * 1000;
      return STOCK_SOUNDS[rest] ?? null;
    }
    case 'tone':
      return Infinity;
    case 'digits':
    case 'number':
    case 'characters':
      return Math.max(1, rest.length) * 600;
    default:
      return null;
  }
}
