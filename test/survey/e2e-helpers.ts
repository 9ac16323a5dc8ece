import { eq } from 'drizzle-orm';
import type { Hono } from 'hono';
import { pollingResults, taskResults } from '../../src/db/schema.js';
import type { Db } from '../../src/db/client.js';

export const BASE = '/pbxcore/api/module-dialer/v1';
export const LOCAL = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };

/** Sends a request to the v1 API from loopback (no auth needed) and returns the JSON envelope. */
export async function api(app: Hono, method: string, path: string, body?: unknown) {
  const res = await app.request(`${BASE}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) }, LOCAL);
  return (await res.json()) as { result: boolean; data: any; messages: unknown };
}

/** Polls until the task's attempts for these numbers have a result (or gives up after `ms`). */
export async function waitForResults(db: Db, taskId: number, count: number, ms = 15_000) {
  const until = Date.now() + ms;
  for (;;) {
    const rows = db.select().from(taskResults).where(eq(taskResults.taskId, taskId)).all().filter((r) => r.result !== '');
    if (rows.length >= count || Date.now() > until) return rows;
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const pollingRowsOf = (db: Db, taskId: number) =>
  db.select().from(pollingResults).where(eq(pollingResults.taskId, taskId)).orderBy(pollingResults.id).all();
