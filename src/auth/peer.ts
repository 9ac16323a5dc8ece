import { isIP } from 'node:net';
import type { Context } from 'hono';

/**
 * Address of the direct peer from @hono/node-server's bindings (c.env.incoming.socket). Tests pass the
 * same shape as the third argument of app.request(). Unknown → '' (never treated as local).
 */
export function directPeer(c: Context): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return normalise(env?.incoming?.socket?.remoteAddress ?? '');
}

/** ::ffff:1.2.3.4 → 1.2.3.4 so IPv4 rules apply to IPv4-mapped addresses. */
export function normalise(addr: string): string {
  const a = addr.trim().toLowerCase();
  return a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

export function isLoopback(addr: string): boolean {
  const a = normalise(addr);
  return a === '::1' || (isIP(a) === 4 && a.startsWith('127.'));
}

function ipv4ToInt(a: string): number {
  return a.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
}

/** Entries are exact addresses or IPv4 CIDR blocks ("10.0.0.0/8"). */
export function matchesAny(addr: string, entries: readonly string[]): boolean {
  const a = normalise(addr);
  for (const e of entries) {
    const [net, bits] = e.split('/');
    if (bits === undefined) {
      if (normalise(net) === a) return true;
      continue;
    }
    if (isIP(a) !== 4 || isIP(net) !== 4) continue;
    const n = Number(bits);
    if (!Number.isInteger(n) || n < 0 || n > 32) continue;
    const mask = n === 0 ? 0 : (~0 << (32 - n)) >>> 0;
    if ((ipv4ToInt(a) & mask) === (ipv4ToInt(net) & mask)) return true;
  }
  return false;
}

/**
 * The client's address. X-Forwarded-For is believed only when the direct peer is a configured trusted
 * proxy; then the right-most entry that is not itself a trusted proxy is the client.
 */
export function clientAddress(c: Context, trustedProxies: readonly string[]): string {
  const peer = directPeer(c);
  if (!peer || trustedProxies.length === 0 || !matchesAny(peer, trustedProxies)) return peer;
  const chain = (c.req.header('x-forwarded-for') ?? '')
    .split(',')
    .map((s) => normalise(s))
    .filter((s) => isIP(s));
  for (let i = chain.length - 1; i >= 0; i--) if (!matchesAny(chain[i], trustedProxies)) return chain[i];
  // A trusted proxy that names no usable client: unknown, never the proxy's own (often loopback) address.
  return '';
}

const FORWARDING_HEADERS = ['x-forwarded-for', 'forwarded', 'x-real-ip'];

/**
 * Whether the request may use the loopback exemption (no credentials), as the original allows for
 * 127.0.0.1. Not when the request was forwarded by a proxy on this host (it carries forwarding headers:
 * the real client is elsewhere), and not when a browser sent it (Origin / Sec-Fetch-Site): a web page
 * open on the PBX, or a DNS-rebinding page, must not drive the dialer. curl and CRMs send neither.
 */
export function isLocalRequest(c: Context, trustedProxies: readonly string[]): boolean {
  if (!isLoopback(clientAddress(c, trustedProxies))) return false;
  const peerIsProxy = trustedProxies.length > 0 && matchesAny(directPeer(c), trustedProxies);
  if (!peerIsProxy && FORWARDING_HEADERS.some((h) => c.req.header(h) !== undefined)) return false;
  const fetchSite = c.req.header('sec-fetch-site');
  return c.req.header('origin') === undefined && (fetchSite === undefined || fetchSite === 'none');
}
