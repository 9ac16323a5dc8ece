import type { Db } from '../../db/client.js';

/**
 * A counter bumped whenever a polling is saved or deleted through the services, so a reader in the same process
 * (the survey engine, which loads a polling for every call) can keep what it read until something changed,
 * instead of three queries a call. Only where this process is the only writer (SQLite): with PostgreSQL another
 * node may save a polling, so the answer is undefined and readers load it afresh.
 */
const versions = new WeakMap<object, number>();

export const pollingsVersion = (db: Db): number | undefined => (db.dialect === 'sqlite' ? (versions.get(db) ?? 0) : undefined);

export function pollingsChanged(db: Db): void {
  versions.set(db, (versions.get(db) ?? 0) + 1);
}
