import { randomUUID } from 'node:crypto';
import type { Queries } from '../db/port.js';
import { envWebhookUrlOf, readStoredWebhookUrl } from '../services/settings/schema.js';
import { callResultMessage, taskStateMessage, type TaskForEvent, type TaskStateReason, type WebhookMessage } from './payload.js';

/**
 * The write side of the webhooks: called INSIDE the transaction that records the result or changes the task, so the
 * outbox row commits with it or not at all (a crash loses no event and invents none). One row per target URL: the
 * global webhook (setting `webhookUrl`, else WEBHOOK_URL) and the task's own `callbackUrl`, once each when they
 * are the same. Nothing is written when no URL is set. Delivery is src/webhooks/delivery.ts, outside any transaction.
 */

const INSERT =
  'INSERT INTO webhook_outbox (url, event, body, idempotencyKey, createdAt, attempts, nextAttemptAt) VALUES (?, ?, ?, ?, ?, 0, ?) ' +
  'ON CONFLICT (idempotencyKey, url) DO NOTHING';

/** The URLs a task's events go to, read in the caller's transaction (the settings row is one primary-key read). */
export async function webhookTargets(q: Queries, task: { callbackUrl?: string | null } | undefined): Promise<string[]> {
  const stored = await q.value<string>("SELECT value FROM settings WHERE key = 'webhookUrl'");
  const global = stored === undefined ? envWebhookUrlOf(q) : readStoredWebhookUrl(stored) ?? envWebhookUrlOf(q);
  const urls = [global, task?.callbackUrl ?? ''].filter((u) => u !== '');
  return [...new Set(urls)];
}

async function enqueue(q: Queries, urls: readonly string[], m: WebhookMessage, now: number): Promise<number> {
  let n = 0;
  for (const url of urls) n += await q.run(INSERT, [url, m.event, m.body, m.idempotencyKey, now, now]);
  return n;
}

/** `call.result` for attempt rows that just got their result (all of one task), in the caller's transaction. */
export async function enqueueCallResults(
  q: Queries,
  task: { callbackUrl?: string | null } | undefined,
  rows: readonly ({ id: number } & Record<string, unknown>)[],
  now: number,
  urls?: readonly string[],
): Promise<void> {
  if (rows.length === 0) return;
  const to = urls ?? (await webhookTargets(q, task));
  if (to.length === 0) return;
  for (const row of rows) await enqueue(q, to, callResultMessage(row, now), now);
}

/** `task.state` for a task whose state changed (or that was deleted), in the caller's transaction. */
export async function enqueueTaskState(q: Queries, task: TaskForEvent, previousState: number, state: number | 'deleted', reason: TaskStateReason, now: number): Promise<void> {
  if (state === previousState) return;
  const to = await webhookTargets(q, task);
  if (to.length === 0) return;
  await enqueue(q, to, taskStateMessage(task, previousState, state, reason, now, randomUUID()), now);
}
