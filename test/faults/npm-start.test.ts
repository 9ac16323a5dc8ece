import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, ROOT, sleep } from './harness/service.js';

/**
 * The README's set-up, as a user runs it: `npm start` builds the service from the current sources, runs it
 * (simulator inside, no ARI_URL), and stops it cleanly when npm itself gets SIGTERM (docker stop, a process
 * supervisor that signals only its child): the service must not be left running behind npm.
 */
describe('npm start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'autodialer-npm-start-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('builds and serves, and a SIGTERM to npm stops the service', async () => {
    const port = await freePort();
    const npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DIALER_DATA_DIR: dir, DIALER_HTTP_HOST: '127.0.0.1', DIALER_HTTP_PORT: String(port), SIM_PORT: String(await freePort()), DIALER_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    npm.stdout!.on('data', (d) => (log += d));
    npm.stderr!.on('data', (d) => (log += d));
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    try {
      let health: { ok?: boolean; simulator?: boolean } | undefined;
      for (let i = 0; i < 120 && !health; i++) {
        health = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.json() as Promise<typeof health>, () => undefined);
        if (!health) await sleep(250);
      }
      expect(health, log).toMatchObject({ ok: true, simulator: true });
      npm.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(log).toContain('"msg":"stopped"');
      // the port is free again: no service left behind npm
      expect(await fetch(`http://127.0.0.1:${port}/health`).then(() => 'answered', () => 'closed')).toBe('closed');
    } finally {
      npm.kill('SIGKILL');
    }
  }, 60_000);
});
