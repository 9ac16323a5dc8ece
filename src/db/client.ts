import Database from 'better-sqlite3';
import { getTableColumns, type Table } from 'drizzle-orm';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { migrate as migrateSqlite } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/postgres-js';
import { migrate as migratePg } from 'drizzle-orm/postgres-js/migrator';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import postgres from 'postgres';
import { projectRoot } from '../project-root.js';
import type { Db } from './port.js';
import { PostgresDb } from './postgres.js';
import * as schema from './schema.js';
import { startCheckpointer } from './checkpointer.js';
import { SqliteDb } from './sqlite.js';

export type { Db, Queries, Dialect } from './port.js';

const ROOT = projectRoot(import.meta.url);

export interface DbOptions {
  /** postgres://… selects PostgreSQL; otherwise the SQLite file (or ':memory:'). */
  url: string;
  /** PostgreSQL pool size per process. */
  poolSize?: number;
}

/** Open (creating if needed) the database and apply its dialect's migrations. */
export async function openDb(target: string | DbOptions): Promise<Db> {
  const o = typeof target === 'string' ? { url: target } : target;
  return isPostgresUrl(o.url) ? openPostgres(o.url, o.poolSize ?? 10) : openSqlite(o.url);
}

export const isPostgresUrl = (url: string) => /^postgres(ql)?:\/\//i.test(url);

/** The SQLite file, WAL and a busy timeout; migrations from drizzle/. */
export function openSqlite(file: string): SqliteDb {
  if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL'); // WAL + NORMAL: durable across process crashes
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // 4 MB of page cache, not better-sqlite3's 16 MB: with a million numbers stored, big reads and writes filled
  // all 16 MB of it, an eighth of the service's memory budget, for no measurable speed (the OS caches the file).
  sqlite.pragma('cache_size = -4000');
  migrateSqlite(drizzleSqlite(sqlite), { migrationsFolder: join(ROOT, 'drizzle') });
  if (file === ':memory:') return new SqliteDb(sqlite, `sqlite:${file}`);
  const stopCheckpoints = startCheckpointer(sqlite, resolve(file), (err) =>
    process.emitWarning(`SQLite checkpoints are back on the main thread: ${String(err)}`),
  );
  return new SqliteDb(sqlite, `sqlite:${file}`, stopCheckpoints);
}

/**
 * PostgreSQL through a postgres.js pool; migrations from drizzle-pg/, run under an advisory lock so nodes
 * starting together migrate once. int8 (COUNT, ids) and numeric come back as JS numbers, column names in
 * the schema's camelCase.
 */
export async function openPostgres(url: string, poolSize: number): Promise<PostgresDb> {
  const sql = postgres(url, {
    max: poolSize,
    onnotice: () => {},
    idle_timeout: 60,
    connect_timeout: 10,
    // doubles travel as their shortest exact text (the PostgreSQL 12+ default, pinned against a server set otherwise)
    connection: { extra_float_digits: 1 },
    transform: { column: { from: (name: string) => CAMEL.get(name) ?? name } },
    types: {
      int8: { to: 20, from: [20, 1700], serialize: (v: unknown) => String(v), parse: (v: string) => Number(v) },
    },
  }) as unknown as postgres.Sql<Record<string, never>>;
  // One connection of its own (max 1: the advisory lock belongs to a session) for the migrations.
  const mig = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await mig`SELECT pg_advisory_lock(727001)`;
    await migratePg(drizzlePg(mig), { migrationsFolder: join(ROOT, 'drizzle-pg') });
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw err;
  } finally {
    await mig.end({ timeout: 1 }).catch(() => {}); // ending the session releases the lock
  }
  return new PostgresDb(sql, redact(url));
}

/** postgres://user@host:port/db, never the password. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return 'postgres://?';
  }
}

/** lower-case PostgreSQL column name → the schema's camelCase (plus aliases the queries use). */
const CAMEL = new Map<string, string>();
for (const t of Object.values(schema)) {
  if (t && typeof t === 'object' && 'getSQL' in (t as object)) {
    for (const c of Object.values(getTableColumns(t as Table))) CAMEL.set(c.name.toLowerCase(), c.name);
  }
}

export const dbFileIn = (dataDir: string) => join(dataDir, 'autodialer.sqlite');

/** Float unix seconds, the unit of changeTime / closeTime. */
export const nowSeconds = () => Date.now() / 1000;
