/**
 * The one client both backends are driven through: raw ARI HTTP (fetch) for exact statuses and bodies, and the
 * events WebSocket for every event as sent. Nothing here knows whether the far side is the simulator or Asterisk.
 */
import WebSocket from 'ws';

export type AriEvent = Record<string, any> & { type: string };

export interface AriTarget {
  url: string;
  username: string;
  password: string;
}

export interface AriReply {
  status: number;
  body: any;
}

export interface AriSession {
  app: string;
  /** Every event received so far, in arrival order. */
  events: AriEvent[];
  request(method: string, path: string): Promise<AriReply>;
  /** Resolves once `pred` holds for some event (already received or arriving later). */
  waitEvent(pred: (e: AriEvent) => boolean, ms: number, what: string): Promise<AriEvent>;
  close(): Promise<void>;
}

export async function openSession(target: AriTarget, app: string): Promise<AriSession> {
  const auth = `Basic ${Buffer.from(`${target.username}:${target.password}`).toString('base64')}`;
  const events: AriEvent[] = [];
  const waiters = new Set<() => void>();
  const ws = new WebSocket(`${target.url.replace(/^http/, 'ws')}/ari/events?app=${encodeURIComponent(app)}`, {
    headers: { authorization: auth },
  });
  ws.on('message', (data) => {
    events.push(JSON.parse(String(data)) as AriEvent);
    for (const w of [...waiters]) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`events WebSocket refused: ${res.statusCode}`)));
  });
  return {
    app,
    events,
    async request(method, path) {
      const res = await fetch(`${target.url}/ari${path}`, { method, headers: { authorization: auth } });
      const text = await res.text();
      let body: unknown = text || undefined;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // HTML error pages stay text
      }
      return { status: res.status, body };
    },
    waitEvent(pred, ms, what) {
      const hit = events.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const check = () => {
          const e = events.find(pred);
          if (!e) return;
          done();
          resolve(e);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
        }, ms);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
        setTimeout(() => (ws.terminate(), resolve()), 1000).unref();
      }),
  };
}
