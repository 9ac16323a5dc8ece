/**
 * The RIFF/WAVE header: built around raw PCM from TTS, and parsed to verify what ffmpeg produced.
 * Asterisk plays `.wav` as 8 kHz mono signed 16-bit little-endian PCM (its "wav" format).
 */

export interface WavFormat {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
}

export const ASTERISK_WAV: WavFormat = { sampleRate: 8000, channels: 1, bitsPerSample: 16 };

/** The canonical 44-byte header for `dataBytes` of PCM. */
export function wavHeader(dataBytes: number, f: WavFormat = ASTERISK_WAV): Buffer {
  const h = Buffer.alloc(44);
  const blockAlign = (f.channels * f.bitsPerSample) / 8;
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16); // fmt chunk size
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(f.channels, 22);
  h.writeUInt32LE(f.sampleRate, 24);
  h.writeUInt32LE(f.sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(f.bitsPerSample, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** Raw PCM → a playable wav file's bytes. */
export function pcmToWav(pcm: Buffer, f: WavFormat = ASTERISK_WAV): Buffer {
  // PCM frames are whole samples; an odd trailing byte would make the data chunk invalid.
  const usable = pcm.length - (pcm.length % ((f.channels * f.bitsPerSample) / 8));
  return Buffer.concat([wavHeader(usable, f), pcm.subarray(0, usable)]);
}

export interface WavInfo extends WavFormat {
  audioFormat: number;
  dataBytes: number;
  /** Where the samples start in the file. */
  dataOffset: number;
}

/**
 * Walk the RIFF chunks (ffmpeg may add LIST chunks before `data`) and return the format and the data size.
 * Returns undefined for anything that is not a well-formed PCM wav.
 */
export function parseWav(buf: Buffer): WavInfo | undefined {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let fmt: Omit<WavInfo, 'dataBytes' | 'dataOffset'> | undefined;
  let off = 12;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ' && body + 16 <= buf.length) {
      fmt = {
        audioFormat: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) return undefined;
      // A streaming writer may leave the size unset (0 or 0xFFFFFFFF); trust the bytes actually present.
      const present = buf.length - body;
      const dataBytes = size === 0 || size === 0xffffffff ? present : Math.min(size, present);
      return { ...fmt, dataBytes, dataOffset: body };
    }
    off = body + size + (size % 2);
  }
  return undefined;
}

/** Is this what Asterisk plays as `.wav`: PCM, 8 kHz, mono, 16-bit, with some audio in it? */
export function isAsteriskWav(info: WavInfo | undefined): info is WavInfo {
  return (
    !!info &&
    info.audioFormat === 1 &&
    info.sampleRate === 8000 &&
    info.channels === 1 &&
    info.bitsPerSample === 16 &&
    info.dataBytes > 0
  );
}

/** The PCM samples of a wav file and their format (RHVoice's answers, recordings sent to STT); undefined if not PCM. */
export function wavPcm(buf: Buffer): { format: WavFormat; pcm: Buffer } | undefined {
  const w = parseWav(buf);
  if (!w || w.audioFormat !== 1) return undefined;
  const { channels, sampleRate, bitsPerSample } = w;
  return { format: { channels, sampleRate, bitsPerSample }, pcm: buf.subarray(w.dataOffset, w.dataOffset + w.dataBytes) };
}

/** 8 kHz mono signed 16-bit: what Asterisk plays and what SpeechKit STT takes as lpcm. */
export const isAsteriskFormat = (f: WavFormat) =>
  f.sampleRate === ASTERISK_WAV.sampleRate && f.channels === ASTERISK_WAV.channels && f.bitsPerSample === ASTERISK_WAV.bitsPerSample;
