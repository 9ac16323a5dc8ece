import { Agent, request } from 'undici';
import type { AriResult } from './port.js';

/**
 * Minimal ARI REST transport: typed outcomes instead of exceptions.
 * - 2xx → ok (JSON body parsed when there is one)
 * - 404 from ARI (a JSON body) → 'gone' (the channel / bridge / playback does not exist)
 * - other status → 'failed' with the status and Asterisk's message
 * - no HTTP answer → 'failed' status 0; `notSent` when the connection was refused or never established,
 *   i.e. Asterisk provably never saw the request.
 * - `notSent` too when Asterisk answered that it is not ready and so did nothing: 503 (while it boots, ARI
 *   answers `{"message":"Asterisk not booted"}`; while it shuts down, the web server's HTML 503), or a 404
 *   page that is not ARI's (the web server is up but ARI is not registered yet). Such a 404 says nothing about
 *   the channel. See ../shared/asterisk/observed.md and docs/dialer.md ("Asterisk restarts").
 */
export interface AriHttp {
  request<T>(method: string, path: string, query?: Record<string, string | number>, body?: unknown): Promise<AriResult<T>>;
  close(): void;
}

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

export function createAriHttp(o: { url: string; username: string; password: string; timeoutMs: number }): AriHttp {
  const origin = new URL(o.url).origin;
  const auth = 'Basic ' + Buffer.from(`${o.username}:${o.password}`).toString('base64');
  const dispatcher = new Agent({ keepAliveTimeout: 10_000, connections: 64, pipelining: 1, connectTimeout: 5_000 });

  return {
    async request<T>(method: string, path: string, query?: Record<string, string | number>, body?: unknown) {
      const url = `${origin}/ari${path}${queryString(query)}`;
      try {
        const res = await request(url, {
          method: method as 'GET',
          dispatcher,
          headers: body !== undefined ? { authorization: auth, 'content-type': 'application/json' } : { authorization: auth },
          body: body !== undefined ? JSON.stringify(body) : undefined,
          headersTimeout: o.timeoutMs,
          bodyTimeout: o.timeoutMs,
        });
        const text = await res.body.text();
        return ariResult<T>(res.statusCode, String(res.headers['content-type'] ?? ''), text);
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        const message = err instanceof Error ? err.message : String(err);
        return { ok: false, error: 'failed', status: 0, message: code ? `${code}: ${message}` : message, notSent: NOT_SENT_CODES.has(code) || undefined };
      }
    },
    close() {
      void dispatcher.close().catch(() => {});
    },
  };
}

/** "?a=1&b=2" (or "") for a request's query parameters. */
export function queryString(query?: Record<string, string | number>): string {
  if (!query || Object.keys(query).length === 0) return '';
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) qs.set(k, String(v));
  return `?${qs}`;
}

/** An ARI answer (HTTP, or a RESTResponse over the WebSocket) as a typed outcome; the rules are above. */
export function ariResult<T>(status: number, contentType: string, text: string): AriResult<T> {
  if (status >= 200 && status < 300) return { ok: true, value: (text ? JSON.parse(text) : undefined) as T };
  if (status === 404 && contentType.includes('json')) return { ok: false, error: 'gone' };
  const notReady = status === 503 || status === 404;
  return { ok: false, error: 'failed', status, message: messageOf(text), notSent: notReady || undefined };
}

function messageOf(text: string): string {
  try {
    const j = JSON.parse(text) as { message?: string; error?: string };
    return j.message ?? j.error ?? text;
  } catch {
    return text;
  }
}
