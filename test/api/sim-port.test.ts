import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

/**
 * On the PBX host Asterisk already listens on 8088: the built-in simulator (no ARI_URL) takes a free port
 * unless SIM_PORT is set, and a SIM_PORT that is taken stops the service with a message naming SIM_PORT.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const hold = (): Promise<Server> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve(s));
  });
const portOf = (s: Server) => (s.address() as AddressInfo).port;

/** `stasis/main.ts` as a child process; resolves with its exit code and output, or once `until` shows in the output. */
function runService(env: Record<string, string>, until?: RegExp) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'stasis/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DIALER_HTTP_HOST: '127.0.0.1', DIALER_HTTP_PORT: '0', DIALER_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const done = new Promise<{ code: number | null; out: string }>((resolve) => {
    const check = () => until && until.test(out) && resolve({ code: null, out });
    child.stdout!.on('data', (d) => ((out += d), check()));
    child.stderr!.on('data', (d) => ((out += d), check()));
    child.once('exit', (code) => resolve({ code, out }));
  });
  return { child, done };
}

describe('SIM_PORT', () => {
  const dir = mkdtempSync(join(tmpdir(), 'autodialer-sim-port-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is unset by default (= any free port); a set value is used; a bad one names the variable', () => {
    expect(loadConfig({}).sim.port).toBeUndefined();
    expect(loadConfig({ SIM_PORT: '' }).sim.port).toBeUndefined();
    expect(loadConfig({ SIM_PORT: '18088' }).sim.port).toBe(18088);
    expect(() => loadConfig({ SIM_PORT: 'http' })).toThrow(ConfigError);
    expect(() => loadConfig({ SIM_PORT: '70000' })).toThrow(/SIM_PORT/);
  });

  it('a SIM_PORT that is taken stops the service with a message naming SIM_PORT', async () => {
    const taken = await hold();
    try {
      const { done, child } = runService({ DIALER_DATA_DIR: join(dir, 'a'), SIM_PORT: String(portOf(taken)) });
      const { code, out } = await done;
      child.kill('SIGKILL');
      expect(code, out).toBe(2);
      expect(out).toContain(`SIM_PORT=${portOf(taken)}: port is already in use`);
    } finally {
      taken.close();
    }
  }, 60_000);

  it('unset, the simulator starts on a free port and says where', async () => {
    const { done, child } = runService({ DIALER_DATA_DIR: join(dir, 'b') }, /autodialer ready/);
    try {
      const { out } = await done;
      const url = /"simulatorUrl":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(out);
      expect(url, out).not.toBeNull();
      expect(Number(url![1])).not.toBe(8088);
    } finally {
      child.kill('SIGKILL');
    }
  }, 60_000);
});
