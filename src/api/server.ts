import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

export interface HttpServer {
  url: string;
  close(): Promise<void>;
}

/** Listen on config.http.host:port (port 0 = any free port) and resolve once listening. */
export function startHttpServer(app: Hono, config: Config, log: Logger): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: config.http.host, port: config.http.port }, (info: AddressInfo) => {
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
    });
    server.once('error', reject);
  });
}
