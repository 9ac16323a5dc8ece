import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local stand-in for a customer's CRM receiving send_crm: records what came and answers as told. */
export interface FakeCrmRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  json: unknown;
}

export interface FakeCrm {
  url: string;
  requests: FakeCrmRequest[];
  /** The answer: status and body (an object is sent as JSON). */
  status: number;
  body: unknown;
  delayMs: number;
  close(): Promise<void>;
}

export async function startFakeCrm(): Promise<FakeCrm> {
  const fake: FakeCrm = { url: '', requests: [], status: 200, body: { result: true, data: 'ok' }, delayMs: 0, close: async () => {} };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let json: unknown;
    try {
      json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      json = undefined;
    }
    fake.requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, contentType: req.headers['content-type'], json });
    if (fake.delayMs) await new Promise((r) => setTimeout(r, fake.delayMs));
    if (res.destroyed) return;
    const text = typeof fake.body === 'string' ? fake.body : JSON.stringify(fake.body);
    res.writeHead(fake.status, { 'content-type': typeof fake.body === 'string' ? 'text/plain' : 'application/json' }).end(text);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/crm/hook`;
  fake.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return fake;
}
