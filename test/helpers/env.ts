import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { inject } from 'vitest';
import { testConfig, type Config } from '../../src/config.js';
import { openDb, type Db } from '../../src/db/client.js';
import { freshDatabase } from './postgres.js';

/**
 * The PostgreSQL server the suites run on, if any: the `postgres` test project provides one (see
 * vitest.config.ts); TEST_POSTGRES_URL names one by hand. Otherwise the suites run on SQLite.
 */
export function postgresServer(): string | undefined {
  return inject('postgresUrl') || process.env.TEST_POSTGRES_URL || undefined;
}

export const testDialect = (): 'sqlite' | 'postgres' => (postgresServer() ? 'postgres' : 'sqlite');

/** The database URL for a fresh suite: a new SQLite file in `dir`, or a new database on the PostgreSQL server. */
export async function freshDatabaseUrl(dir: string): Promise<string> {
  const server = postgresServer();
  return server ? freshDatabase(server) : join(dir, 'test.sqlite');
}

/** A fresh data dir, database and config for one suite. Call `cleanup()` in afterAll. */
export async function freshEnv(env: Record<string, string> = {}): Promise<{
  dir: string;
  db: Db;
  config: Config;
  log: pino.Logger;
  cleanup: () => Promise<void>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'autodialer-test-'));
  const url = await freshDatabaseUrl(dir);
  const config = testConfig({ DIALER_DATA_DIR: dir, DIALER_LOG_LEVEL: 'silent', DATABASE_URL: url, ...env });
  const db = await openDb(config.databaseUrl);
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  return {
    dir,
    db,
    config,
    log,
    cleanup: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
