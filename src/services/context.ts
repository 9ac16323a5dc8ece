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

/**
 * A token that changes whenever the database may have changed (commits by other connections and processes
 * too), or undefined where the engine cannot tell cheaply (PostgreSQL: other nodes write): then hot read
 * paths must not reuse an earlier result.
 */
export const dbVersion = (db: Db): string | undefined => db.version();
