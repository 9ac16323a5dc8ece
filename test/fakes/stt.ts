import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Yandex SpeechKit STT v1 `POST /speech/v1/stt:recognize`: checks the key and the query as
 * the service does and answers `{"result": text}`, or `{error_code, error_message}` with 400 / 401.
 */
export interface FakeSttRequest {
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: Buffer;
}

export interface FakeStt {
  url: string;
  requests: FakeSttRequest[];
  /** What is "recognised". */
  text: string;
  delayMs: number;
  failWith: number | undefined;
  close(): Promise<void>;
}

export const FAKE_STT_KEY = 'stt-test-key';
export const FAKE_FOLDER = 'b1gfolder42';
const PATH = '/speech/v1/stt:recognize';

export async function startFakeStt(): Promise<FakeStt> {
  const fake: FakeStt = { url: '', requests: [], text: 'два три', delayMs: 0, failWith: undefined, close: async () => {} };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const u = new URL(req.url ?? '/', 'http://x');
    const query = Object.fromEntries(u.searchParams);
    fake.requests.push({ path: u.pathname, query, authorization: req.headers.authorization, body: Buffer.concat(chunks) });
    if (fake.delayMs) await new Promise((r) => setTimeout(r, fake.delayMs));
    if (res.destroyed) return;
    const json = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (fake.failWith) return json(fake.failWith, { error_code: 'INTERNAL', error_message: 'internal error' });
    if (u.pathname !== PATH || req.method !== 'POST') return json(404, { error_code: 'NOT_FOUND', error_message: 'not found' });
    if (req.headers.authorization !== `Api-Key ${FAKE_STT_KEY}`) return json(401, { error_code: 'UNAUTHORIZED', error_message: 'Unknown api key' });
    if (query.folderId !== FAKE_FOLDER) return json(401, { error_code: 'UNAUTHORIZED', error_message: 'folder not found' });
    if (query.format !== 'lpcm' || query.sampleRateHertz !== '8000') return json(400, { error_code: 'BAD_REQUEST', error_message: 'format' });
    json(200, { result: fake.text });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${PATH}`;
  fake.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return fake;
}
