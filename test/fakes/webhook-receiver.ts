import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '../../src/webhooks/sign.js';

/**
 * A CRM's webhook endpoint for the tests: records every POST with its headers, verifies the signature as a receiver
 * must (docs/webhooks.md), and answers as told (`failFirst` answers 500 to the first N requests of each idempotency
 * key, `status` answers everything with it).
 */
export interface ReceivedHook {
  path: string;
  at: number;
  event: string | undefined;
  key: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  /** The signature checked with the receiver's secret (false when no secret is set or it does not match). */
  verified: boolean;
  body: string;
  json: { id: string; event: string; createdAt: number; data: Record<string, unknown> };
  /** What the receiver answered. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  hooks: ReceivedHook[];
  secret: string;
  status: number;
  failFirst: number;
  /** Wait this long before answering (deliveries then are in flight when a test kills the sender). */
  delayMs: number;
  close(): Promise<void>;
  /** Delivered (2xx) hooks, one per idempotency key (what a receiver keeps after dropping repeats). */
  delivered(): Map<string, ReceivedHook>;
}

export async function startWebhookReceiver(secret = ''): Promise<WebhookReceiver> {
  const seen = new Map<string, number>();
  const r: WebhookReceiver = {
    url: '',
    hooks: [],
    secret,
    status: 200,
    failFirst: 0,
    delayMs: 0,
    close: async () => {},
    delivered() {
      const out = new Map<string, ReceivedHook>();
      for (const h of r.hooks) if (h.status < 300 && h.key && !out.has(h.key)) out.set(h.key, h);
      return out;
    },
  };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const header = (n: string) => (typeof req.headers[n] === 'string' ? (req.headers[n] as string) : undefined);
    const key = header('x-autodialer-idempotency-key');
    const n = (seen.get(key ?? '') ?? 0) + 1;
    seen.set(key ?? '', n);
    const status = n <= r.failFirst ? 500 : r.status;
    const timestamp = header('x-autodialer-timestamp');
    const signature = header('x-autodialer-signature');
    r.hooks.push({
      path: req.url ?? '',
      at: Date.now(),
      event: header('x-autodialer-event'),
      key,
      timestamp,
      signature,
      verified: r.secret !== '' && verifyWebhook(r.secret, { timestamp, signature }, body),
      body,
      json: JSON.parse(body),
      status,
    });
    if (r.delayMs) await new Promise((done) => setTimeout(done, r.delayMs));
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'try later');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  r.close = () =>
    new Promise((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });
  return r;
}
