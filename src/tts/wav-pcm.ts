import { ASTERISK_WAV, type WavFormat } from '../media/wav.js';

/**
 * The PCM samples of a wav file and their format: the data chunk found by walking the RIFF chunks (RHVoice and
 * ffmpeg may put LIST chunks before it). Undefined for anything that is not a PCM wav.
 */
export function wavPcm(buf: Buffer): { format: WavFormat; pcm: Buffer } | undefined {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') return undefined;
  let format: WavFormat | undefined;
  let off = 12;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ' && body + 16 <= buf.length) {
      if (buf.readUInt16LE(body) !== 1) return undefined; // not plain PCM
      format = { channels: buf.readUInt16LE(body + 2), sampleRate: buf.readUInt32LE(body + 4), bitsPerSample: buf.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!format) return undefined;
      // A streaming writer leaves the size unset (0 or 0xFFFFFFFF): the bytes present are the data.
      const end = size === 0 || size === 0xffffffff ? buf.length : Math.min(buf.length, body + size);
      return { format, pcm: buf.subarray(body, end) };
    }
    off = body + size + (size % 2);
  }
  return undefined;
}

/** 8 kHz mono signed 16-bit: what Asterisk plays and what SpeechKit STT takes as lpcm. */
export const isAsteriskFormat = (f: WavFormat) =>
  f.sampleRate === ASTERISK_WAV.sampleRate && f.channels === ASTERISK_WAV.channels && f.bitsPerSample === ASTERISK_WAV.bitsPerSample;
