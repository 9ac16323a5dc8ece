import type { ApiDeps } from '../../src/api/deps.js';
import { mkdir, writeFile } from 'node:fs/promises';
import type { Hono } from 'hono';
import { afterAll, beforeAll } from 'vitest';
import { createApp } from '../../src/api/app.js';
import type { AudioConverter, DialerControl, PromptPreparer, PromptText } from '../../src/ports.js';
import { freshEnv } from '../helpers/env.js';

export const BASE = '/pbxcore/api/module-dialer/v1';

/** @hono/node-server bindings as app.request() env: the peer address is what auth looks at. */
export const fromAddress = (remoteAddress: string) => ({ incoming: { socket: { remoteAddress } } });
export const LOCAL = fromAddress('127.0.0.1');
export const REMOTE = fromAddress('203.0.113.7');

/** Converter double: writes "<base>.wav"; names containing "broken" fail like an undecodable file. */
export function fakeConverter(): AudioConverter & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async convert(input, outputBase) {
      calls.push(input);
      if (input.includes('broken') || outputBase.includes('broken')) return { ok: false, message: 'ffmpeg: invalid data' };
      const { readFile } = await import('node:fs/promises');
      const bytes = await readFile(input);
      if (bytes.toString().startsWith('NOT AUDIO')) return { ok: false, message: 'ffmpeg: Invalid data found when processing input' };
      await mkdir(outputBase.slice(0, outputBase.lastIndexOf('/')), { recursive: true });
      await writeFile(`${outputBase}.wav`, bytes);
      await writeFile(`${outputBase}.mp3`, bytes);
      return { ok: true, wavPath: `${outputBase}.wav` };
    },
  };
}

export function fakeDialer(): DialerControl & { changed: number[][] } {
  const changed: number[][] = [];
  return {
    changed,
    tasksChanged: (ids) => void changed.push(ids ?? []),
    status: () => ({ ari: 'connected', simulator: true, callsInFlight: 0, draining: false }),
  };
}

export function fakePrompts(): PromptPreparer & { seen: PromptText[][]; errors: string[]; warnings: string[] } {
  const p = {
    seen: [] as PromptText[][],
    errors: [] as string[],
    warnings: [] as string[],
    async prepare(prompts: PromptText[]) {
      p.seen.push(prompts);
      return { errors: [...p.errors], warnings: [...p.warnings] };
    },
  };
  return p;
}

/**
 * A fresh app over a fresh DB, made in a beforeAll of the calling suite (opening a database is async) and
 * closed in its afterAll; its fields are read inside tests. `call` sends a request from loopback unless told otherwise.
 */
export function testApi(env: Record<string, string> = {}, opts: Partial<Pick<ApiDeps, 'now' | 'nowMs' | 'events' | 'speech'>> = {}) {
  const dialer = fakeDialer();
  const audio = fakeConverter();
  const prompts = fakePrompts();
  let made: { e: Awaited<ReturnType<typeof freshEnv>>; app: Hono } | undefined;
  beforeAll(async () => {
    const e = await freshEnv(env);
    made = { e, app: createApp({ config: e.config, db: e.db, log: e.log, dialer, audio, prompts, ...opts }) };
  });
  afterAll(() => made?.e.cleanup());
  const ready = () => {
    if (!made) throw new Error('testApi: the app is made in beforeAll; use it inside tests and hooks');
    return made;
  };
  const call = async (method: string, path: string, body?: unknown, from = LOCAL, headers: Record<string, string> = {}) => {
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = typeof body === 'string' || body instanceof FormData ? body : JSON.stringify(body);
    const res = await ready().app.request(path.startsWith('/') && !path.startsWith(BASE) && !path.startsWith('/admin') && !path.startsWith('/health') && !path.startsWith('/openapi') ? BASE + path : path, init, from);
    return readResponse(res);
  };
  return {
    get dir() {
      return ready().e.dir;
    },
    get db() {
      return ready().e.db;
    },
    get config() {
      return ready().e.config;
    },
    get log() {
      return ready().e.log;
    },
    get app() {
      return ready().app;
    },
    dialer,
    audio,
    prompts,
    call,
  };
}

/** Status, body text, body as JSON (undefined when it is not JSON) and headers of a response. */
export async function readResponse(res: Response) {
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}
