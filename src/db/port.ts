/**
 * The storage port: what services and the dialer use to reach the database, the same over SQLite (the
 * default, one PBX) and PostgreSQL (several dialer nodes). SQL is written once, in the common subset of both
 * dialects, with `?` placeholders; the PostgreSQL adapter numbers them. Every call is async: PostgreSQL is a
 * server, and SQLite's adapter keeps the same shape so nothing above it knows which one it talks to.
 */
export type Dialect = 'sqlite' | 'postgres';
export type Params = readonly unknown[];
export type Row = Record<string, unknown>;

export interface Queries {
  readonly dialect: Dialect;
  all<T = Row>(sql: string, params?: Params): Promise<T[]>;
  get<T = Row>(sql: string, params?: Params): Promise<T | undefined>;
  /** First column of the first row (e.g. `SELECT COUNT(*)`, `INSERT … RETURNING id`). */
  value<T = unknown>(sql: string, params?: Params): Promise<T | undefined>;
  /** First column of every row. */
  values<T = unknown>(sql: string, params?: Params): Promise<T[]>;
  /** A statement without rows; answers how many rows it changed. */
  run(sql: string, params?: Params): Promise<number>;
  /**
   * Run `fn` in one transaction: committed when it resolves, rolled back when it throws. Inside it, calls on
   * the outer handle join the transaction too (no deadlock on a forgotten `q`). No ARI, ffmpeg or HTTP call
   * may happen inside: a transaction holds SQLite's single writer lock and PostgreSQL row locks.
   */
  tx<T>(fn: (q: Queries) => Promise<T>): Promise<T>;
  /**
   * Inside tx(): the transaction's last statement, committed together with it (PostgreSQL: statement and COMMIT
   * in one network round trip). Nothing may follow it in the transaction. Outside a transaction: all().
   */
  commitWith<T = Row>(sql: string, params?: Params): Promise<T[]>;
}

export interface Db extends Queries {
  /** 'sqlite:<file>' or 'postgres://host/db' (no password): for logs and /health. */
  readonly label: string;
  /**
   * A token that changes whenever anything may have been written, where the engine tells it cheaply
   * (SQLite: one process owns the file). undefined = cannot tell (PostgreSQL, other nodes write too): do not cache.
   */
  version(): string | undefined;
  /** Wake listeners on every node (PostgreSQL NOTIFY); a no-op where there is one node. */
  notify(channel: string, payload?: string): Promise<void>;
  /** Called on every node when `notify(channel)` happened anywhere (PostgreSQL LISTEN). */
  listen(channel: string, onNotify: (payload: string) => void): Promise<void>;
  close(): Promise<void>;
}
