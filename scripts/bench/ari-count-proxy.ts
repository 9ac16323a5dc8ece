/**
 * A counting proxy between the service and Asterisk's ARI (diagnostics of bench:asterisk --count-ari): every
 * REST request by method and path shape, every WebSocket event by type. It lives in the benchmark process, so
 * neither the service's nor Asterisk's CPU includes it; it does add a loopback hop to each request.
 * `formats` (what-if): appended to every originate that names none, to measure Asterisk as it would run if the
 * dialer asked for a format (without one, ARI gives a Local channel slin192 and resamples every 8 kHz prompt).
 */
import { createServer, request, Agent, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface AriCounts {
  requests: Map<string, number>;
  events: Map<string, number>;
}

const WORDS = new Set(['ari', 'channels', 'play', 'playbacks', 'variable', 'bridges', 'addChannel', 'removeChannel', 'dial', 'continue', 'answer',
  'asterisk', 'applications', 'deviceStates', 'events', 'ping', 'info', 'moh', 'ring', 'hold', 'snoop', 'redirect', 'subscription', 'create', 'dtmf', 'sounds', 'endpoints']);
const shape = (url: string) => url.split('?')[0]!.split('/').map((s) => (s === '' || WORDS.has(s) ? s : ':id')).join('/');
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

/** Count the text frames Asterisk sends (server frames are never masked). */
function countFrames(counts: AriCounts): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      if (buf.length < 2) return;
      const op = buf[0]! & 0x0f;
      let len = buf[1]! & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        at = 10;
      }
      if (buf.length < at + len) return;
      if (op === 1) {
        try {
          bump(counts.events, String((JSON.parse(buf.subarray(at, at + len).toString()) as { type?: string }).type));
        } catch {
          bump(counts.events, '(unparsable)');
        }
      }
      buf = buf.subarray(at + len);
    }
  };
}

export async function startAriCountProxy(target: string, formats?: string): Promise<{ url: string; counts: AriCounts; reset(): void; close(): void }> {
  const t = new URL(target);
  const counts: AriCounts = { requests: new Map(), events: new Map() };
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    bump(counts.requests, `${req.method} ${shape(req.url ?? '')}`);
    let path = req.url ?? '/';
    const originate = req.method === 'POST' && /^\/ari\/channels(\/[^/?]+)?(\?|$)/.test(path) && !/^\/ari\/channels\/create/.test(path);
    if (formats && originate && !/[?&]formats=/.test(path)) path += `${path.includes('?') ? '&' : '?'}formats=${encodeURIComponent(formats)}`;
    const up = request({ host: t.hostname, port: t.port, method: req.method, path, headers: req.headers, agent }, (r: IncomingMessage) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('upgrade', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const up = connect(Number(t.port), t.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}`)];
      up.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) up.write(head);
      client.pipe(up);
      // the 101 answer goes through countFrames as well: its bytes end before the first frame
      let handshake = true;
      const frames = countFrames(counts);
      up.on('data', (d: Buffer) => {
        client.write(d);
        if (!handshake) return frames(d);
        const end = d.indexOf('\r\n\r\n');
        if (end < 0) return;
        handshake = false;
        if (end + 4 < d.length) frames(d.subarray(end + 4));
      });
    });
    for (const s of [client, up]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        client.destroy();
        up.destroy();
      });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    reset() {
      counts.requests.clear();
      counts.events.clear();
    },
    close() {
      for (const s of sockets) s.destroy();
      server.close();
      agent.destroy();
    },
  };
}
