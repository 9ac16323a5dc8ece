import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../logger.js';

/** What every service function gets: plain dependencies, no HTTP. */
export interface ServiceCtx {
  db: Db;
  config: Config;
  log: Logger;
  /** Float unix seconds (changeTime / closeTime unit); injectable for tests. */
  now: () => number;
}

/**
 * Outcome of a service call. `ok:false` is a logical error the API answers with HTTP 200 result:false
 * (as the original does); `messages` always name the field, number or id at fault.
 */
export type Outcome<T> =
  | { ok: true; data: T; messages?: string[] }
  | { ok: false; data?: unknown; messages: string[] };

export const ok = <T>(data: T, messages: string[] = []): Outcome<T> => ({ ok: true, data, messages });
export const fail = (messages: string | string[], data?: unknown): Outcome<never> => ({
  ok: false,
  messages: Array.isArray(messages) ? messages : [messages],
  data,
});

/** Prepared statements are compiled once per connection and reused (hot paths: task merge, results). */
const cache = new WeakMap<object, Map<string, unknown>>();
export function stmt<S>(db: Db, key: string, make: () => S): S {
  let m = cache.get(db.$client);
  if (!m) cache.set(db.$client, (m = new Map()));
  let s = m.get(key) as S | undefined;
  if (!s) m.set(key, (s = make()));
  return s;
}

/**
 * A number that changes whenever the database may have changed: PRAGMA data_version moves on commits
 * by other connections (other processes too), total_changes() on writes through this connection.
 * Lets hot read paths reuse a result until anything at all is written.
 */
export function dbVersion(db: Db): string {
  const s = stmt(db, 'dbVersion', () => db.$client.prepare('SELECT total_changes() AS c'));
  const v = stmt(db, 'dataVersion', () => db.$client.prepare('PRAGMA data_version').pluck());
  return `${v.get() as number}:${(s.get() as { c: number }).c}`;
}
