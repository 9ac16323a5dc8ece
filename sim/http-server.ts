/** HTTP + WebSocket front door: /ari/api-docs, /ari/* routes, /ari/events, and /sim/* control. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer } from 'ws';
import type { SimContext } from './context.js';
import { AriError } from './errors.js';
import { ASTERISK_ID, asteriskTime } from './events.js';
import { bridgeRoutes, playbackRoutes } from './routes/bridges.js';
import { channelRoutes } from './routes/channels.js';
import { miscRoutes } from './routes/misc.js';
import type { RouteDef } from './routes/types.js';
import { declaration, RESOURCES, resourceList } from './swagger.js';

export const ROUTES: RouteDef[] = [...channelRoutes, ...bridgeRoutes, ...playbackRoutes, ...miscRoutes];

interface Compiled {
  def: RouteDef;
  re: RegExp;
  names: string[];
}

const compiled: Compiled[] = ROUTES.map((def) => {
  const names: string[] = [];
  const re = new RegExp(
    '^' + def.path.replace(/\{(\w+)\}/g, (_m, n: string) => (names.push(n), '([^/]+)')) + '$',
  );
  return { def, re, names };
});

export type ControlHandler = (method: string, path: string, query: URLSearchParams, body: unknown) => { status: number; body?: unknown };

export interface ServerOptions {
  username: string;
  password: string;
  /**
   * Still booting until this Date.now(): like an Asterisk that restarts, HTTP already answers but every /ari
   * request gets 503 {"message":"Asterisk not booted"} and the events WebSocket is refused with 503.
   */
  bootUntil?: number;
  /** Answer RESTRequest messages on the events WebSocket (Asterisk 22.4+); an older Asterisk ignores them. */
  restOverWebSocket?: boolean;
}

const booting = (opts: ServerOptions) => opts.bootUntil !== undefined && Date.now() < opts.bootUntil;

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status, { 'content-length': '0' });
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function authorised(req: IncomingMessage, url: URL, opts: ServerOptions): boolean {
  const expected = `${opts.username}:${opts.password}`;
  const key = url.searchParams.get('api_key');
  if (key !== null) return key === expected;
  const h = req.headers.authorization;
  if (!h?.startsWith('Basic ')) return false;
  return Buffer.from(h.slice(6), 'base64').toString('utf8') === expected;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  if (chunks.length === 0) return undefined;
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new AriError(400, 'Malformed JSON body');
  }
}

/** One ARI REST request (path after "/ari"), whether it came over HTTP or over the events WebSocket. */
async function routeAri(
  ctx: SimContext,
  method: string,
  sub: string,
  search: URLSearchParams,
  readBodyOnce: () => Promise<unknown>,
): Promise<{ status: number; body?: unknown }> {
  let methodMismatch = false;
  for (const c of compiled) {
    const m = c.re.exec(sub);
    if (!m) continue;
    if (c.def.method !== method) {
      methodMismatch = true;
      continue;
    }
    const pathParams: Record<string, string> = {};
    c.names.forEach((n, i) => (pathParams[n] = decodeURIComponent(m[i + 1]!)));
    const query: Record<string, string> = {};
    for (const [k, v] of search) query[k] = query[k] !== undefined ? `${query[k]},${v}` : v;
    const body = await readBodyOnce();
    for (const p of c.def.params) {
      if (p.in === 'query' && p.required && !query[p.name]) throw new AriError(400, `${p.name}: Missing required field`);
    }
    return c.def.handler(ctx, { path: pathParams, query, body: body as Record<string, unknown> | undefined });
  }
  return { status: methodMismatch ? 405 : 404, body: { message: methodMismatch ? 'Invalid method' : 'Resource not found' } };
}

const REASON: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No Content', 400: 'Bad Request', 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Entity', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/**
 * ARI REST over the events WebSocket (Asterisk 20.14 / 21.9 / 22.4+): a `RESTRequest` message is answered by a
 * `RESTResponse` on the same socket, with the HTTP status and the JSON body as text, as measured on 22.10.1.
 */
async function restOverWebSocket(ctx: SimContext, text: string, app: string): Promise<string | undefined> {
  let m: { type?: string; request_id?: string; transaction_id?: string; method?: string; uri?: string; message_body?: string; query_strings?: { name: string; value: string }[] };
  try {
    m = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (m.type !== 'RESTRequest') return undefined;
  const uri = String(m.uri ?? '').replace(/^\/+/, '');
  const [path = '', qs = ''] = uri.split('?', 2);
  const search = new URLSearchParams(qs);
  for (const q of m.query_strings ?? []) search.append(q.name, q.value);
  let reply: { status: number; body?: unknown };
  try {
    reply = await routeAri(ctx, String(m.method ?? 'GET').toUpperCase(), `/${path}`, search, async () => {
      if (!m.message_body) return undefined;
      try {
        return JSON.parse(m.message_body);
      } catch {
        throw new AriError(400, 'Malformed JSON body');
      }
    });
  } catch (err) {
    reply = err instanceof AriError ? { status: err.status, body: err.body() } : { status: 500, body: { message: String(err) } };
  }
  return JSON.stringify({
    type: 'RESTResponse',
    transaction_id: m.transaction_id ?? '',
    request_id: m.request_id ?? '',
    status_code: reply.status,
    reason_phrase: REASON[reply.status] ?? '',
    uri: path,
    content_type: reply.body === undefined ? '' : 'application/json',
    message_body: reply.body === undefined ? '' : JSON.stringify(reply.body),
    application: app,
    timestamp: asteriskTime(),
    asterisk_id: ASTERISK_ID,
  });
}

export function createSimServer(ctx: SimContext, opts: ServerOptions, control: ControlHandler): Server {
  const wss = new WebSocketServer({ noServer: true });
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof AriError) send(res, err.status, err.body());
      else send(res, 500, { message: err instanceof Error ? err.message : String(err) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (path.startsWith('/sim/') || path === '/sim') {
      const body = await readBody(req);
      const r = control(method, path, url.searchParams, body);
      return send(res, r.status, r.body);
    }
    if (!path.startsWith('/ari/')) return send(res, 404, { message: 'Not found' });
    if (booting(opts)) return send(res, 503, { message: 'Asterisk not booted' });
    const base = `http://${req.headers.host ?? 'localhost'}/ari`;
    const docs = /^\/ari\/api-docs\/(\w+)\.json$/.exec(path);
    if (docs) {
      if (docs[1] === 'resources') return send(res, 200, resourceList(base));
      if (!RESOURCES.includes(docs[1]!)) return send(res, 404, { message: 'Resource not found' });
      return send(res, 200, declaration(docs[1]!, ROUTES, base));
    }
    if (!authorised(req, url, opts)) return send(res, 401, { message: 'Authentication required' });
    const reply = routeAri(ctx, method, path.slice(4), url.searchParams, () => readBody(req));
    return send(res, (await reply).status, (await reply).body);
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const reject = (code: number, text: string) => {
      socket.write(`HTTP/1.1 ${code} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
      socket.destroy();
    };
    if (url.pathname !== '/ari/events') return reject(404, 'Not Found');
    if (booting(opts)) return reject(503, 'Service Unavailable');
    if (!authorised(req, url, opts)) return reject(401, 'Unauthorized');
    const apps = (url.searchParams.get('app') ?? '').split(',').filter(Boolean);
    if (apps.length === 0) return reject(400, 'Bad Request');
    const subscribeAll = url.searchParams.get('subscribeAll') === 'true';
    wss.handleUpgrade(req, socket, head, (ws) => {
      for (const name of apps) {
        const app = ctx.engine.bus.app(name);
        // One WebSocket per app, as on Asterisk: the newcomer takes over, the old one is told.
        for (const old of app.sockets) {
          if (old.readyState === 1) {
            old.send(JSON.stringify({ type: 'ApplicationReplaced', application: name, timestamp: asteriskTime(), asterisk_id: ASTERISK_ID }));
          }
        }
        app.sockets.clear();
        app.sockets.add(ws);
        app.subscribeAll = subscribeAll;
      }
      ws.on('message', (data) => {
        if (!opts.restOverWebSocket) return;
        void restOverWebSocket(ctx, data.toString(), apps[0]!).then((answer) => {
          if (answer && ws.readyState === 1) ws.send(answer);
        });
      });
      ws.on('close', () => {
        for (const name of apps) ctx.engine.bus.apps.get(name)?.sockets.delete(ws);
      });
      ws.on('error', () => ws.terminate());
    });
  });
  // server.close() only calls back once every socket is gone, and upgraded WebSockets are not closed by
  // closeAllConnections(): terminate them when closing starts, not on 'close' (which would never come).
  const closeHttp = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    return closeHttp(cb);
  }) as typeof server.close;
  return server;
}
