import type { WebSocket } from 'ws';
import { ariResult, queryString } from './ari-http.js';
import type { AriResult } from './port.js';

/**
 * ARI REST over the events WebSocket (Asterisk 20.14 / 21.9 / 22.4 and later): a request is a `RESTRequest`
 * message, its answer a `RESTResponse` on the same socket. Measured on Asterisk 22.10.1 with this machine's Node,
 * a request costs the dialer about 0.13 ms of CPU this way against 0.67 ms over HTTP (undici), and a survey call
 * makes 5–7 of them (scripts/bench/asterisk-load.ts).
 *
 * Same typed outcomes as ari-http.ts: a socket that is not open means the request was provably not sent
 * (notSent); a socket that closes before the answer, or no answer in time, is status 0 (it may have been done).
 */
export class WsRest {
  private ws: WebSocket | undefined;
  private readonly pending = new Map<string, { resolve: (r: AriResult<unknown>) => void; timer: NodeJS.Timeout }>();
  private seq = 0;

  constructor(private readonly timeoutMs: number) {}

  get open(): boolean {
    return this.ws?.readyState === 1;
  }

  /** The socket to send on; every request still waiting on an earlier one is answered "no answer". */
  attach(ws: WebSocket): void {
    if (this.ws !== ws) this.failPending('the event socket was replaced');
    this.ws = ws;
    ws.once('close', () => {
      if (this.ws === ws) this.detach();
    });
  }

  detach(): void {
    this.ws = undefined;
    this.failPending('the event socket closed before the answer');
  }

  /** Take a RESTResponse message (true) or leave it as an event (false). */
  take(m: { type?: string; request_id?: string; status_code?: number; content_type?: string; message_body?: string }): boolean {
    if (m.type !== 'RESTResponse') return false;
    const p = this.pending.get(m.request_id ?? '');
    if (p) {
      this.pending.delete(m.request_id!);
      clearTimeout(p.timer);
      try {
        p.resolve(ariResult(Number(m.status_code), m.content_type ?? '', m.message_body ?? ''));
      } catch (err) {
        p.resolve({ ok: false, error: 'failed', status: Number(m.status_code) || 0, message: `unreadable answer: ${String(err)}` });
      }
    }
    return true;
  }

  request<T>(method: string, path: string, query?: Record<string, string | number>, body?: unknown, timeoutMs = this.timeoutMs): Promise<AriResult<T>> {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) {
      return Promise.resolve({ ok: false, error: 'failed', status: 0, message: 'ARI event socket not open', notSent: true });
    }
    const id = `r${++this.seq}`;
    const message: Record<string, unknown> = { type: 'RESTRequest', request_id: id, method, uri: `${path.replace(/^\//, '')}${queryString(query)}` };
    if (body !== undefined) {
      message.content_type = 'application/json';
      message.message_body = JSON.stringify(body);
    }
    return new Promise<AriResult<T>>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        resolve({ ok: false, error: 'failed', status: 0, message: `no answer over the event socket in ${timeoutMs} ms` });
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (r: AriResult<unknown>) => void, timer });
      ws.send(JSON.stringify(message), (err) => {
        if (!err || !this.pending.has(id)) return;
        this.pending.delete(id);
        clearTimeout(timer);
        resolve({ ok: false, error: 'failed', status: 0, message: `event socket write failed: ${err.message}` });
      });
    });
  }

  private failPending(why: string): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ ok: false, error: 'failed', status: 0, message: why });
      this.pending.delete(id);
    }
  }
}
