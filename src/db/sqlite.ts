import { AsyncLocalStorage } from 'node:async_hooks';
import Database, { type Statement } from 'better-sqlite3';
import type { Db, Params, Queries } from './port.js';

/**
 * SQLite behind the async port. better-sqlite3 is synchronous and one connection is one transaction, so a
 * transaction whose body awaits must keep everyone else out until it ends: a gate that other callers wait on.
 * Code running inside the transaction (tracked with AsyncLocalStorage) goes straight through.
 */
export class SqliteDb implements Db {
  readonly dialect = 'sqlite' as const;
  private readonly cache = new Map<string, Statement<unknown[]>>();
  private readonly pluckCache = new Map<string, Statement<unknown[]>>();
  private gate: Promise<void> | undefined;
  private readonly inTx = new AsyncLocalStorage<true>();
  private readonly versionStmt: Statement<unknown[]>;
  private readonly changesStmt: Statement<unknown[]>;

  constructor(
    readonly client: Database.Database,
    readonly label: string,
    /** Stops the checkpoint worker (checkpointer.ts), before this connection closes. */
    private readonly stopCheckpoints?: () => Promise<void>,
  ) {
    this.versionStmt = client.prepare('PRAGMA data_version').pluck();
    this.changesStmt = client.prepare('SELECT total_changes()').pluck();
  }

  private stmt(sql: string): Statement<unknown[]> {
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = this.client.prepare(sql)));
    return s;
  }

  private plucked(sql: string): Statement<unknown[]> {
    let s = this.pluckCache.get(sql);
    if (!s) this.pluckCache.set(sql, (s = this.client.prepare(sql).pluck()));
    return s;
  }

  /** Resolves when no other transaction holds the connection. */
  private async free(): Promise<void> {
    if (this.inTx.getStore()) return;
    while (this.gate) await this.gate;
  }

  async all<T>(sql: string, params: Params = []): Promise<T[]> {
    if (this.gate) await this.free();
    return this.stmt(sql).all(...params) as T[];
  }

  async get<T>(sql: string, params: Params = []): Promise<T | undefined> {
    if (this.gate) await this.free();
    return this.stmt(sql).get(...params) as T | undefined;
  }

  async value<T>(sql: string, params: Params = []): Promise<T | undefined> {
    if (this.gate) await this.free();
    return this.plucked(sql).get(...params) as T | undefined;
  }

  async values<T>(sql: string, params: Params = []): Promise<T[]> {
    if (this.gate) await this.free();
    return this.plucked(sql).all(...params) as T[];
  }

  commitWith<T>(sql: string, params: Params = []): Promise<T[]> {
    return this.all<T>(sql, params); // committed when the transaction's function returns, with nothing between
  }

  async run(sql: string, params: Params = []): Promise<number> {
    if (this.gate) await this.free();
    return this.stmt(sql).run(...params).changes;
  }

  async tx<T>(fn: (q: Queries) => Promise<T>): Promise<T> {
    if (this.inTx.getStore()) return fn(this);
    // check and take the gate with no await in between, or two waiters woken together would both take it
    while (this.gate) await this.gate;
    let open!: () => void;
    this.gate = new Promise<void>((r) => (open = r));
    try {
      return await this.inTx.run(true, async () => {
        this.client.exec('BEGIN IMMEDIATE');
        try {
          const out = await fn(this);
          this.client.exec('COMMIT');
          return out;
        } catch (err) {
          if (this.client.inTransaction) this.client.exec('ROLLBACK');
          throw err;
        }
      });
    } finally {
      this.gate = undefined;
      open();
    }
  }

  version(): string {
    return `${this.versionStmt.get() as number}:${this.changesStmt.get() as number}`;
  }

  async notify(): Promise<void> {}
  async listen(): Promise<void> {}

  async close(): Promise<void> {
    if (this.gate) await this.free();
    await this.stopCheckpoints?.();
    if (this.client.open) this.client.close();
  }
}
