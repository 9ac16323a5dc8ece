import { AsyncLocalStorage } from 'node:async_hooks';
import postgres from 'postgres';
import type { Db, Params, Queries } from './port.js';

type Pg = postgres.Sql<Record<string, never>>;
type PgTx = postgres.ReservedSql<Record<string, never>>;

/**
 * PostgreSQL behind the async port, over postgres.js (the fastest Node driver, with its own pool and
 * prepared statements cached per connection). Tables use unquoted, hence lower-case, column names, so the
 * shared SQL's camelCase names (`taskId`) resolve as they are; answers are mapped back to camelCase.
 */
export class PostgresDb implements Db {
  readonly dialect = 'postgres' as const;
  private readonly inTx = new AsyncLocalStorage<PgTx>();
  /** Transactions whose COMMIT already went out with their last statement (commitWith). */
  private readonly committed = new WeakSet<PgTx>();

  constructor(
    readonly sql: Pg,
    readonly label: string,
  ) {}

  private conn(): Pg | PgTx {
    return this.inTx.getStore() ?? this.sql;
  }

  all<T>(text: string, params: Params = []): Promise<T[]> {
    return query(this.conn(), text, params) as unknown as Promise<T[]>;
  }

  async get<T>(text: string, params: Params = []): Promise<T | undefined> {
    return (await query(this.conn(), text, params))[0] as T | undefined;
  }

  async value<T>(text: string, params: Params = []): Promise<T | undefined> {
    const rows = await query(this.conn(), text, params).values();
    return rows[0]?.[0] as T | undefined;
  }

  async values<T>(text: string, params: Params = []): Promise<T[]> {
    const rows = await query(this.conn(), text, params).values();
    return rows.map((r) => r[0] as T);
  }

  async commitWith<T>(text: string, params: Params = []): Promise<T[]> {
    const conn = this.inTx.getStore();
    if (!conn) return this.all<T>(text, params);
    const [rows] = await Promise.all([query(conn, text, params), conn.unsafe('COMMIT')]);
    this.committed.add(conn);
    return rows as unknown as T[];
  }

  async run(text: string, params: Params = []): Promise<number> {
    return (await query(this.conn(), text, params)).count;
  }

  /**
   * A transaction on a connection of its own. BEGIN is not waited for: it goes out together with the first
   * statement (postgres.js pipelines requests on a connection), one network round trip less per transaction.
   */
  async tx<T>(fn: (q: Queries) => Promise<T>): Promise<T> {
    if (this.inTx.getStore()) return fn(this);
    const conn = await this.sql.reserve();
    const begin = conn.unsafe('BEGIN');
    begin.catch(() => {}); // its error, if any, is also the first statement's
    try {
      const out = await this.inTx.run(conn, () => fn(this));
      await begin;
      if (!this.committed.has(conn)) await conn.unsafe('COMMIT');
      return out;
    } catch (err) {
      await conn.unsafe('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      conn.release();
    }
  }

  version(): undefined {
    return undefined;
  }

  async notify(channel: string, payload = ''): Promise<void> {
    await this.sql.notify(channel, payload);
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<void> {
    await this.sql.listen(channel, onNotify);
  }

  async close(): Promise<void> {
    await this.sql.end({ timeout: 5 });
  }
}

const numbered = new Map<string, string>();

/** `?` placeholders → `$1, $2 …` (the shared SQL never has a `?` inside a string literal: checked here). */
export function toPgPlaceholders(text: string): string {
  let out = numbered.get(text);
  if (out !== undefined) return out;
  let n = 0;
  let inString = false;
  out = '';
  for (const ch of text) {
    if (ch === "'") inString = !inString;
    out += ch === '?' && !inString ? `$${++n}` : ch;
  }
  if (numbered.size > 5000) numbered.clear();
  numbered.set(text, out);
  return out;
}

function query(conn: Pg | PgTx, text: string, params: Params) {
  return conn.unsafe(toPgPlaceholders(text), params.map(toPgParam) as postgres.ParameterOrJSON<never>[], { prepare: true });
}

/** SQLite takes booleans and undefined loosely; PostgreSQL must get what the column holds. */
const toPgParam = (v: unknown) => (v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v);
