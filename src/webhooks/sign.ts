import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature of a webhook: `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, the timestamp being the
 * X-Autodialer-Timestamp header (unix seconds). Signing the timestamp with the body lets a receiver refuse an old
 * request replayed later (Stripe's and Standard Webhooks' scheme); docs/webhooks.md shows how to verify it.
 */
export function signWebhook(secret: string, timestamp: number | string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does (used by the tests' receiver): constant-time comparison, and a timestamp not too old. */
export function verifyWebhook(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  opts: { nowSec?: number; toleranceSec?: number } = {},
): boolean {
  const { timestamp, signature } = headers;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  const now = opts.nowSec ?? Date.now() / 1000;
  if (Math.abs(now - Number(timestamp)) > (opts.toleranceSec ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const got = Buffer.from(signature);
  return expected.length === got.length && timingSafeEqual(expected, got);
}
