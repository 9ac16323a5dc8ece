import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Yandex SpeechKit v1 `POST /speech/v1/tts:synthesize`. It checks a request the
 * way the real service does and answers like it: raw lpcm on success, JSON {error_code, error_message}
 * with 400 or 401 otherwise. Tests read `requests` to see what was sent and how often.
 */
export interface FakeSpeechKitRequest {
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  form: Record<string, string>;
}

export interface FakeSpeechKit {
  /** Full synthesize URL, for config.tts.yandexUrl (YANDEX_TTS_URL). */
  url: string;
  requests: FakeSpeechKitRequest[];
  /** Answer the next requests after this many ms (to test timeouts). */
  delayMs: number;
  /** When set, answer every request with this status (e.g. 500) before checking anything. */
  failWith: number | undefined;
  close(): Promise<void>;
}

export const FAKE_API_KEY = 'test-api-key';
const PATH = '/speech/v1/tts:synthesize';
const VOICES: Record<string, string[]> = {
  alena: ['ru-RU'],
  filipp: ['ru-RU'],
  ermil: ['ru-RU'],
  jane: ['ru-RU'],
  john: ['en-US'],
  nigora: ['uz-UZ'],
};

export async function startFakeSpeechKit(apiKey = FAKE_API_KEY): Promise<FakeSpeechKit> {
  const fake: FakeSpeechKit = { url: '', requests: [], delayMs: 0, failWith: undefined, close: async () => {} };
  const server = createServer((req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const form = Object.fromEntries(new URLSearchParams(body));
    fake.requests.push({ path: req.url ?? '', authorization: req.headers.authorization, contentType: req.headers['content-type'], form });
    if (fake.delayMs) await new Promise((r) => setTimeout(r, fake.delayMs));
    if (res.destroyed) return;
    if (fake.failWith) return json(res, fake.failWith, 'INTERNAL', 'internal error');
    if (req.url !== PATH) return json(res, 404, 'NOT_FOUND', 'not found');
    if (req.method !== 'POST') return json(res, 405, 'METHOD_NOT_ALLOWED', 'method not allowed');
    if (req.headers.authorization !== `Api-Key ${apiKey}`) {
      return json(res, 401, 'UNAUTHORIZED', 'Unknown api key');
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      return json(res, 400, 'BAD_REQUEST', 'content type must be application/x-www-form-urlencoded');
    }
    const text = form.text ?? '';
    if (!text.trim()) return json(res, 400, 'BAD_REQUEST', 'Text is empty');
    if ([...text].length > 5000) return json(res, 400, 'BAD_REQUEST', 'Too long text');
    if (form.format !== 'lpcm') return json(res, 400, 'BAD_REQUEST', `Unsupported format for this test: ${form.format}`);
    if (!['8000', '16000', '48000'].includes(form.sampleRateHertz ?? '48000')) {
      return json(res, 400, 'BAD_REQUEST', 'Invalid sampleRateHertz');
    }
    const voice = form.voice ?? 'oksana';
    if (!VOICES[voice]) return json(res, 400, 'BAD_REQUEST', `Unsupported voice: ${voice}`);
    if (form.lang && !VOICES[voice].includes(form.lang)) return json(res, 400, 'BAD_REQUEST', `Voice ${voice} does not speak ${form.lang}`);
    if (form.speed && !(Number(form.speed) >= 0.1 && Number(form.speed) <= 3)) return json(res, 400, 'BAD_REQUEST', 'Invalid speed');
    res.writeHead(200, { 'content-type': 'audio/x-pcm;bit=16;rate=8000' });
    res.end(tone(Math.min(2, 0.2 + text.length * 0.01), Number(form.sampleRateHertz ?? 8000)));
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}${PATH}`;
  fake.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return fake;
}

function json(res: ServerResponse, status: number, code: string, message: string) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error_code: code, error_message: message }));
}

/** Signed 16-bit little-endian mono: a 440 Hz tone standing in for speech. */
function tone(seconds: number, rate: number): Buffer {
  const n = Math.round(seconds * rate);
  const b = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) b.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  return b;
}
