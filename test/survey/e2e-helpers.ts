import type { Hono } from 'hono';
import type { pollingResults, taskResults } from '../../src/db/schema.js';
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
    const rows = (await db.all<typeof taskResults.$inferSelect>('SELECT * FROM task_results WHERE taskId = ? ORDER BY id', [taskId])).filter(
      (r) => r.result !== '',
    );
    if (rows.length >= count || Date.now() > until) return rows;
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const pollingRowsOf = (db: Db, taskId: number) =>
  db.all<typeof pollingResults.$inferSelect>('SELECT * FROM polling_results WHERE taskId = ? ORDER BY id', [taskId]);
