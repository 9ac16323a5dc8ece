import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { testConfig, type Config } from '../../src/config.js';
import { openDb, type Db } from '../../src/db/client.js';

/** A fresh data dir, database and config for one suite. Call `cleanup()` in afterAll. */
export function freshEnv(env: Record<string, string> = {}): {
  dir: string;
  db: Db;
  config: Config;
  log: pino.Logger;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'autodialer-test-'));
  const config = testConfig({ DIALER_DATA_DIR: dir, DIALER_LOG_LEVEL: 'silent', ...env });
  const db = openDb(join(dir, 'test.sqlite'));
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  return {
    dir,
    db,
    config,
    log,
    cleanup: () => {
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
