import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { projectRoot } from '../project-root.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const MIGRATIONS = join(projectRoot(import.meta.url), 'drizzle');

/**
 * Open (creating if needed) the database file, set WAL and a busy timeout, and apply migrations.
 * Pass ':memory:' for a throw-away database.
 */
export function openDb(file: string): Db {
  if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL'); // WAL + NORMAL: durable across process crashes
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // 4 MB of page cache, not better-sqlite3's 16 MB: with a million numbers stored, big reads and writes filled
  // all 16 MB of it, an eighth of the service's memory budget, for no measurable speed (the OS caches the file).
  sqlite.pragma('cache_size = -4000');
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder: MIGRATIONS });
  return db;
}

export const dbFileIn = (dataDir: string) => join(dataDir, 'autodialer.sqlite');

/** Float unix seconds, the unit of changeTime / closeTime. */
export const nowSeconds = () => Date.now() / 1000;
