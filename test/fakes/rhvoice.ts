import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { wavHeader } from '../../src/media/wav.js';

/**
 * A local stand-in for an RHVoice HTTP server (rhvoice-rest, as MikoPBX's ModuleRHVoice runs it):
 * `GET /say?text&voice&format=wav&rate` answers a wav, by default at 24 kHz like RHVoice's voices, so the
 * service has to convert it. Tests read `requests` and steer the answers.
 */
export interface FakeRhvoiceRequest {
  path: string;
  query: Record<string, string>;
}

export interface FakeRhvoice {
  /** The /say URL, for the rhvoiceUrl setting (RHVOICE_URL). */
  url: string;
  requests: FakeRhvoiceRequest[];
  /** Sample rate of the wav answered (8000 = already what Asterisk plays). */
  sampleRate: number;
  /** The next this-many answers are a tiny wav (a failed synthesis, as RHVoice sometimes gives). */
  tooSmall: number;
  /** When set, answer every request with this status. */
  failWith: number | undefined;
  delayMs: number;
  close(): Promise<void>;
}

export const FAKE_VOICES = ['vitaliy-ng', 'anna', 'aleksandr', 'elena'];

export async function startFakeRhvoice(): Promise<FakeRhvoice> {
  const fake: FakeRhvoice = { url: '', requests: [], sampleRate: 24000, tooSmall: 0, failWith: undefined, delayMs: 0, close: async () => {} };
  const server = createServer(async (req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(u.searchParams);
    fake.requests.push({ path: u.pathname, query });
    if (fake.delayMs) await new Promise((r) => setTimeout(r, fake.delayMs));
    if (res.destroyed) return;
    if (fake.failWith) return void res.writeHead(fake.failWith).end('synthesis failed');
    if (u.pathname !== '/say' || req.method !== 'GET') return void res.writeHead(404).end('not found');
    if (!query.text) return void res.writeHead(400).end('text is empty');
    if (!FAKE_VOICES.includes(query.voice ?? '')) return void res.writeHead(400).end(`unknown voice ${query.voice}`);
    if (query.format !== 'wav') return void res.writeHead(400).end(`this fake speaks wav only, not ${query.format}`);
    res.writeHead(200, { 'content-type': 'audio/wav' });
    if (fake.tooSmall > 0) {
      fake.tooSmall -= 1;
      return void res.end(Buffer.concat([wavHeader(100, mono(fake.sampleRate)), Buffer.alloc(100)]));
    }
    const pcm = tone(0.5 + query.text.length * 0.02, fake.sampleRate);
    res.end(Buffer.concat([wavHeader(pcm.length, mono(fake.sampleRate)), pcm]));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/say`;
  fake.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return fake;
}

const mono = (sampleRate: number) => ({ sampleRate, channels: 1, bitsPerSample: 16 });

function tone(seconds: number, rate: number): Buffer {
  const n = Math.round(seconds * rate);
  const b = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(6000 * Math.sin((2 * Math.PI * 300 * i) / rate)), i * 2);
  return b;
}
