import { request } from 'undici';
import type { Db } from '../db/port.js';
import type { Logger } from '../logger.js';
import { signWebhook } from './sign.js';

/**
 * The delivery worker: takes due outbox rows and POSTs them, outside any transaction.
 *
 * Claiming: one UPDATE pushes the due rows' nextAttemptAt a lease ahead and answers them (RETURNING); on PostgreSQL
 * the rows are picked FOR UPDATE SKIP LOCKED, so two nodes never take the same row at the same moment, and a row
 * whose node died mid-delivery is due again when its lease ends (delivered at least once; receivers dedupe by the
 * idempotency key). SQLite has one writer: the UPDATE alone is atomic.
 *
 * 2xx = delivered. Anything else (status, timeout, refused connection) = retried after an exponential backoff with
 * jitter (5 s, 10 s, 20 s … at most 1 h), until the row is 3 days old: then it is given up (nextAttemptAt set past
 * any date, lastError kept, deliveredAt stays NULL) and logged.
 */

export interface WebhookDeliveryOptions {
  db: Db;
  log: Logger;
  /** The settings store: webhookSecret is read at each delivery, so a new secret applies at once. */
  settings: { current(): Promise<{ webhookSecret: string }> };
  /** The dialer's time scale (DIALER_TIME_SCALE): backoff, lease and give-up delays are multiplied by it. */
  timeScale?: number;
  /** HTTP timeout of one delivery (not scaled). Default 10 000 ms. */
  timeoutMs?: number;
  /** How often due rows are looked for when idle. Default 500 ms. */
  pollMs?: number;
  /** Rows taken (and delivered concurrently) at once. Default 16. */
  batch?: number;
  /** How long delivered rows are kept (then deleted, at most every 10 minutes). Default 7 days. */
  keepDeliveredSec?: number;
  /** Float unix seconds. */
  now?: () => number;
  random?: () => number;
}

export interface WebhookDelivery {
  /** Look for due rows now (e.g. right after a result was recorded). */
  kick(): void;
  /** Stop taking rows; resolves when the deliveries under way have ended. */
  stop(): Promise<void>;
}

export const BACKOFF_BASE_SEC = 5;
export const BACKOFF_MAX_SEC = 3600;
export const GIVE_UP_AFTER_SEC = 3 * 86400;
const LEASE_SEC = 60;
const PRUNE_EVERY_SEC = 600;
/** nextAttemptAt of a row given up: never due again. */
export const GIVEN_UP_AT = 1e15;

/** Seconds before the next try after `attempts` failed ones: 5 × 2^(n−1), at most an hour, ±20 % jitter. */
export function backoffSec(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_MAX_SEC, BACKOFF_BASE_SEC * 2 ** Math.max(0, attempts - 1));
  return base * (0.8 + 0.4 * random());
}

interface OutboxRow {
  id: number;
  url: string;
  event: string;
  body: string;
  idempotencyKey: string;
  createdAt: number;
  attempts: number;
}

export function startWebhookDelivery(o: WebhookDeliveryOptions): WebhookDelivery {
  const log = o.log.child({ area: 'webhooks' });
  const scale = o.timeScale ?? 1;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const pollMs = o.pollMs ?? 500;
  const batch = o.batch ?? 16;
  const now = o.now ?? (() => Date.now() / 1000);
  const random = o.random ?? Math.random;
  // a row being delivered must not come due again before its request has timed out
  const leaseSec = Math.max(LEASE_SEC * scale, timeoutMs / 1000 + 1);
  const pg = o.db.dialect === 'postgres';
  const claimSql =
    'UPDATE webhook_outbox SET nextAttemptAt = ? WHERE id IN (SELECT id FROM webhook_outbox WHERE deliveredAt IS NULL AND nextAttemptAt <= ? ' +
    `ORDER BY nextAttemptAt, id LIMIT ${batch}${pg ? ' FOR UPDATE SKIP LOCKED' : ''}) ` +
    'RETURNING id, url, event, body, idempotencyKey, createdAt, attempts';

  const keepDeliveredSec = o.keepDeliveredSec ?? 7 * 86400;
  let prunedAt = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const running = loop();

  async function loop(): Promise<void> {
    while (!stopped) {
      let taken = 0;
      try {
        const t = now();
        if (t - prunedAt >= PRUNE_EVERY_SEC) {
          prunedAt = t;
          // delivered rows are only history: kept a while for whoever looks, then dropped so the table stays small
          await o.db.run('DELETE FROM webhook_outbox WHERE deliveredAt IS NOT NULL AND deliveredAt < ?', [t - keepDeliveredSec]);
        }
        const rows = await o.db.all<OutboxRow>(claimSql, [t + leaseSec, t]);
        taken = rows.length;
        if (taken > 0) {
          const { webhookSecret } = await o.settings.current();
          await Promise.all(rows.map((r) => deliverOne(r, webhookSecret)));
        }
      } catch (err) {
        log.error({ err }, 'webhook outbox could not be read');
      }
      if (taken < batch && !stopped) await idle();
    }
  }

  function idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      wake = () => resolve();
      timer = setTimeout(resolve, pollMs);
    }).finally(() => {
      clearTimeout(timer);
      wake = undefined;
    });
  }

  async function deliverOne(r: OutboxRow, secret: string): Promise<void> {
    const error = await post(r, secret);
    const t = now();
    try {
      if (error === null) {
        await o.db.run('UPDATE webhook_outbox SET deliveredAt = ?, attempts = attempts + 1, lastError = NULL WHERE id = ?', [t, r.id]);
        return;
      }
      const attempts = r.attempts + 1;
      const giveUp = t - r.createdAt >= GIVE_UP_AFTER_SEC * scale;
      const next = giveUp ? GIVEN_UP_AT : t + backoffSec(attempts, random) * scale;
      const lastError = (giveUp ? `gave up after ${attempts} attempts: ${error}` : error).slice(0, 500);
      await o.db.run('UPDATE webhook_outbox SET attempts = ?, nextAttemptAt = ?, lastError = ? WHERE id = ? AND deliveredAt IS NULL', [attempts, next, lastError, r.id]);
      if (giveUp) log.error({ id: r.id, url: r.url, event: r.event, attempts, error }, 'webhook given up');
      else log.warn({ id: r.id, url: r.url, event: r.event, attempts, error }, 'webhook not delivered; will retry');
    } catch (err) {
      // the row stays claimed until its lease ends, then it is tried again
      log.error({ err, id: r.id }, 'webhook delivery could not be recorded');
    }
  }

  /** null = delivered (2xx), else why not. */
  async function post(r: OutboxRow, secret: string): Promise<string | null> {
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'autodialer-webhooks',
      'x-autodialer-event': r.event,
      'x-autodialer-idempotency-key': r.idempotencyKey,
      'x-autodialer-timestamp': String(timestamp),
    };
    if (secret) headers['x-autodialer-signature'] = signWebhook(secret, timestamp, r.body);
    try {
      const res = await request(r.url, { method: 'POST', headers, body: r.body, signal: AbortSignal.timeout(timeoutMs) });
      await res.body.dump().catch(() => {});
      return res.statusCode >= 200 && res.statusCode < 300 ? null : `HTTP ${res.statusCode}`;
    } catch (err) {
      const e = err as Error & { code?: string };
      return e.name === 'TimeoutError' || e.name === 'AbortError' ? `no answer within ${timeoutMs} ms` : `${e.code ?? e.name}: ${e.message}`;
    }
  }

  return {
    kick: () => wake?.(),
    async stop() {
      stopped = true;
      wake?.();
      await running;
    },
  };
}
