import type { Db } from '../../db/client.js';

/**
 * A counter bumped whenever a polling is saved or deleted through the services, so a reader in the same process
 * (the survey engine, which loads a polling for every call) can keep what it read until something changed,
 * instead of three queries a call.
 */
const versions = new WeakMap<object, number>();

export const pollingsVersion = (db: Db): number => versions.get(db.$client) ?? 0;

export function pollingsChanged(db: Db): void {
  versions.set(db.$client, pollingsVersion(db) + 1);
}
