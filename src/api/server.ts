import { ServerResponse, type IncomingMessage, type OutgoingHttpHeader, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

export interface HttpServer {
  url: string;
  close(): Promise<void>;
}

/** Names whose usual spelling is not plain Title-Case per dash-separated word. */
const SPECIAL_NAMES: Record<string, string> = {
  etag: 'ETag',
  'www-authenticate': 'WWW-Authenticate',
  'content-md5': 'Content-MD5',
  te: 'TE',
  dnt: 'DNT',
  'x-xss-protection': 'X-XSS-Protection',
};

/** "set-cookie" → "Set-Cookie": the spelling web servers (the original's nginx) put on the wire. */
export function canonicalHeaderName(name: string): string {
  // every response passes here: the few names a service sends are spelled once, not per response
  let spelled = spellings.get(name);
  if (spelled === undefined) {
    const lower = name.toLowerCase();
    spelled = SPECIAL_NAMES[lower] ?? lower.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
    if (spellings.size < 1000) spellings.set(name, spelled);
  }
  return spelled;
}
const spellings = new Map<string, string>();

function canonicalHeaders(h: OutgoingHttpHeaders | OutgoingHttpHeader[]): OutgoingHttpHeaders | OutgoingHttpHeader[] {
  if (Array.isArray(h)) return h.map((v, i) => (i % 2 === 0 && typeof v === 'string' ? canonicalHeaderName(v) : v));
  const out: OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) out[canonicalHeaderName(k)] = v;
  return out;
}

/**
 * HTTP header names are case-insensitive, but not every client treats them so: 1C reads the login answer's
 * cookie as `Headers.Get("Set-Cookie")` from a case-sensitive map. Hono and the Fetch API lowercase every
 * name, so each response is written with the canonical spelling here, at the one place all of them pass.
 */
class CanonicalHeaderResponse<Req extends IncomingMessage = IncomingMessage> extends ServerResponse<Req> {
  override setHeader(name: string, value: number | string | readonly string[]): this {
    return super.setHeader(canonicalHeaderName(name), value);
  }

  override appendHeader(name: string, value: string | readonly string[]): this {
    return super.appendHeader(canonicalHeaderName(name), value);
  }

  // writeHead(status, headers) and writeHead(status, reason, headers): the headers are the last object argument.
  override writeHead(statusCode: number, ...rest: unknown[]): this {
    const last = rest.length - 1;
    if (last >= 0 && rest[last] && typeof rest[last] === 'object') {
      rest[last] = canonicalHeaders(rest[last] as OutgoingHttpHeaders | OutgoingHttpHeader[]);
    }
    return (super.writeHead as (code: number, ...args: unknown[]) => this)(statusCode, ...rest);
  }
}

/** Listen on config.http.host:port (port 0 = any free port) and resolve once listening. */
export function startHttpServer(app: Pick<Hono, 'fetch'>, config: Config, log: Logger): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: app.fetch,
        hostname: config.http.host,
        port: config.http.port,
        serverOptions: { ServerResponse: CanonicalHeaderResponse as typeof ServerResponse },
      },
      (info: AddressInfo) => {
        const host = info.family === 'IPv6' ? `[${info.address}]` : info.address === '0.0.0.0' ? '127.0.0.1' : info.address;
        const url = `http://${host}:${info.port}`;
        log.info({ url, host: config.http.host, port: info.port }, 'HTTP API listening');
        resolve({
          url,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done());
              // keep-alive connections would hold close() open
              (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            }),
        });
      },
    );
    server.once('error', reject);
  });
}
