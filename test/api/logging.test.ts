import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { freshEnv } from '../helpers/env.js';
import { BASE, fakeConverter, fakeDialer, fakePrompts, LOCAL, REMOTE } from './helpers.js';

const e = await freshEnv();

describe('request logging', () => {
  afterAll(() => e.cleanup());
  const lines: any[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  const log = pino({ level: 'info' }, sink);
  const app = createApp({ config: e.config, db: e.db, log, dialer: fakeDialer(), audio: fakeConverter(), prompts: fakePrompts() });

  it('writes one JSON line per request with method, path, status and ms, including refused ones', async () => {
    await app.request(`${BASE}/task`, {}, LOCAL);
    await app.request(`${BASE}/task`, {}, REMOTE);
    await app.request('/nothing', {}, LOCAL);
    const req = lines.filter((l) => l.msg === 'request');
    expect(req.map((l) => [l.method, l.path, l.status])).toEqual([
      ['GET', `${BASE}/task`, 200],
      ['GET', `${BASE}/task`, 401],
      ['GET', '/nothing', 404],
    ]);
    for (const l of req) expect(typeof l.ms).toBe('number');
  });
});
