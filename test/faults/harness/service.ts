/**
 * The SERVICE as a real child process (`node dist/main.mjs`, the bundle `npm start` builds and runs), so the
 * fault suites can SIGKILL / SIGTERM it. Started with `node` directly, not through npm, because npm is a
 * wrapper process that cannot pass SIGKILL on to the service it spawned.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildService } from '../../../scripts/build.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BASE = '/pbxcore/api/module-dialer/v1';

/** Children still running: killed if this process exits first (a timed-out test must not leave a service behind). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface ServiceOptions {
  /** Absent: the service starts its built-in simulator (SIM_* variables in env). */
  ariUrl?: string;
  ariUsername?: string;
  ariPassword?: string;
  dataDir: string;
  timeScale: number;
  httpPort: number;
  env?: Record<string, string>;
  /** Node arguments that start the service; default those of `npm start`, on a bundle of the current sources. */
  entry?: string[];
}

export interface RunningService {
  url: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let built: Promise<string> | undefined;
/** The bundle of the sources as they are now, built once per process (so a test never runs a stale one). */
export const serviceBundle = () => (built ??= buildService());

/**
 * The node flags `npm start` runs the service with (package.json: "... && exec node <flags> dist/main.mjs"), so the
 * fault suites and benchmarks measure the service exactly as users run it, memory tuning included.
 */
export function startFlags(): string[] {
  const start: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start;
  const m = /^tsx scripts\/build\.ts && exec node((?: --[\w-]+(?:=\S+)?)*) dist\/main\.mjs$/.exec(start);
  if (!m) throw new Error(`package.json "start" is "${start}"; expected "tsx scripts/build.ts && exec node [--flags] dist/main.mjs"`);
  return m[1]!.trim().split(' ').filter(Boolean);
}

/** Spawn the service and wait until /health answers. Output goes to <dataDir>/service.log (appended). */
export async function startService(o: ServiceOptions, readyTimeoutMs = 20_000): Promise<RunningService> {
  mkdirSync(o.dataDir, { recursive: true });
  const logFile = createWriteStream(join(o.dataDir, 'service.log'), { flags: 'a' });
  const child = spawn(process.execPath, o.entry ?? [...startFlags(), await serviceBundle()], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...(o.ariUrl ? { ARI_URL: o.ariUrl } : {}),
      ARI_USERNAME: o.ariUsername ?? 'asterisk',
      ARI_PASSWORD: o.ariPassword ?? 'asterisk',
      DIALER_DATA_DIR: o.dataDir,
      DIALER_TIME_SCALE: String(o.timeScale),
      DIALER_HTTP_HOST: '127.0.0.1',
      DIALER_HTTP_PORT: String(o.httpPort),
      DIALER_TIMEZONE: 'UTC',
      DIALER_LOG_LEVEL: 'info',
      DIALER_SAFETY_TICK_SECONDS: '1',
      ...o.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  child.stdout!.pipe(logFile, { end: false });
  child.stderr!.pipe(logFile, { end: false });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      // let the pipes drain before closing the log
      setTimeout(() => logFile.end(), 50);
      resolve({ code, signal });
    }),
  );
  const url = `http://127.0.0.1:${o.httpPort}`;
  const end = Date.now() + readyTimeoutMs;
  let dead = false;
  void exited.then(() => (dead = true));
  for (;;) {
    if (dead) throw new Error(`service exited during start-up; see ${join(o.dataDir, 'service.log')}`);
    try {
      const r = await fetch(`${url}/health`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) {
      child.kill('SIGKILL');
      throw new Error(`service did not become ready in ${readyTimeoutMs} ms; see ${join(o.dataDir, 'service.log')}`);
    }
    await sleep(50);
  }
  return { url, child, exited };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** JSON request from loopback (no credentials needed). */
export async function api(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(url + (path.startsWith('/') && !path.startsWith(BASE) ? BASE + path : path), {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 500) throw new Error(`${method} ${path}: HTTP ${r.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}
