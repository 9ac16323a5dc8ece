import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { finishAttempt } from '../../src/services/attempts/index.js';
import { deleteTask } from '../../src/services/tasks/queries.js';
import { changeTask } from '../../src/services/tasks/update.js';
import { closeTaskIfDone } from '../../src/services/attempts/index.js';
import { backoffSec, signWebhook, verifyWebhook } from '../../src/webhooks/index.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.js';
import { until, webhookSuite } from './helpers.js';

const SECRET = 'whsec-test-1';
const suite = webhookSuite();
let global: WebhookReceiver;
let perTask: WebhookReceiver;

beforeEach(async () => {
  global = await startWebhookReceiver(SECRET);
  perTask = await startWebhookReceiver(SECRET);
  await suite.db.run('DELETE FROM webhook_outbox');
  expect((await suite.settings.patch({ webhookUrl: global.url, webhookSecret: SECRET })).ok).toBe(true);
});
afterEach(async () => {
  await suite.stopWorkers();
  await global.close();
  await perTask.close();
});

const rowsOf = (taskId: number) => suite.db.all<{ id: number }>('SELECT id FROM task_results WHERE taskId = ? ORDER BY id', [taskId]);
const finish = (rowId: number, result = 'FAIL', outDialState = 'BUSY') =>
  finishAttempt(suite.db, rowId, result, { state: 'endCall', outDialState, hangupCause: 17, cause: 'User busy' }, { nowSec: Date.now() / 1000, retryAt: () => 0 });

describe('call.result webhooks', () => {
  it('are written with the result and POSTed, signed, to the global and the task URL', async () => {
    const task = await suite.task({ callbackUrl: perTask.url });
    const [row] = await rowsOf(task.id);
    await finish(row!.id);
    // one outbox row per target URL, committed with the result
    const outbox = await suite.db.all<{ url: string; idempotencyKey: string }>('SELECT url, idempotencyKey FROM webhook_outbox ORDER BY url');
    expect(outbox.map((o) => o.url).sort()).toEqual([global.url, perTask.url].sort());
    suite.worker();
    await until(() => global.hooks.length >= 1 && perTask.hooks.length >= 1, 5000, 'deliveries');
    for (const h of [global.hooks[0]!, perTask.hooks[0]!]) {
      expect(h.event).toBe('call.result');
      expect(h.key).toBe(`call.result:${row!.id}`);
      expect(h.verified).toBe(true);
      expect(h.signature).toBe(signWebhook(SECRET, h.timestamp!, h.body));
      expect(h.json).toMatchObject({ id: `call.result:${row!.id}`, event: 'call.result' });
      // the row as /results answers it: strings, hangupCause an integer
      expect(h.json.data).toMatchObject({ id: String(row!.id), taskId: String(task.id), phone: '79001112233', result: 'FAIL', state: 'endCall', outDialState: 'BUSY', attemptNumber: '1', hangupCause: 17, cause: 'User busy' });
      expect(h.json.data.closeTime).not.toBe('0');
    }
    await until(async () => (await suite.db.value<number>('SELECT COUNT(*) FROM webhook_outbox WHERE deliveredAt IS NOT NULL')) === 2, 3000, 'delivered marks');
  });

  it('a wrong secret or an old timestamp does not verify', () => {
    const body = '{"a":1}';
    const ts = Math.floor(Date.now() / 1000);
    expect(verifyWebhook(SECRET, { timestamp: String(ts), signature: signWebhook(SECRET, ts, body) }, body)).toBe(true);
    expect(verifyWebhook('other', { timestamp: String(ts), signature: signWebhook(SECRET, ts, body) }, body)).toBe(false);
    expect(verifyWebhook(SECRET, { timestamp: String(ts), signature: signWebhook(SECRET, ts, body) }, '{"a":2}')).toBe(false);
    expect(verifyWebhook(SECRET, { timestamp: String(ts - 600), signature: signWebhook(SECRET, ts - 600, body) }, body)).toBe(false);
  });

  it('are retried after 500s with a growing backoff, with the same idempotency key and body', async () => {
    global.failFirst = 3;
    const task = await suite.task();
    const [row] = await rowsOf(task.id);
    await finish(row!.id);
    suite.worker({ timeScale: 0.02 }); // 5 s → 100 ms, 10 s → 200 ms, 20 s → 400 ms (±20 %)
    await until(() => global.delivered().size === 1, 8000, 'delivery after the retries');
    const tries = global.hooks;
    expect(tries.map((h) => h.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(tries.map((h) => h.key))).toEqual(new Set([`call.result:${row!.id}`]));
    expect(new Set(tries.map((h) => h.body)).size).toBe(1);
    expect(tries.every((h) => h.verified)).toBe(true);
    const gaps = tries.slice(1).map((h, i) => h.at - tries[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(75);
    expect(gaps[1]).toBeGreaterThanOrEqual(155);
    expect(gaps[2]).toBeGreaterThanOrEqual(315);
    // the receiver has it before the sender has written down its answer
    const stored = await until(
      () => suite.db.get<{ attempts: number; lastError: string | null; deliveredAt: number | null }>('SELECT attempts, lastError, deliveredAt FROM webhook_outbox WHERE deliveredAt IS NOT NULL'),
      3000,
      'delivered mark',
    );
    expect(stored).toMatchObject({ attempts: 4, lastError: null });
    expect(stored!.deliveredAt).toBeGreaterThan(0);
  });

  it('backoff: 5 s doubling to at most an hour, ±20 % jitter', () => {
    expect(backoffSec(1, () => 0.5)).toBe(5);
    expect(backoffSec(2, () => 0.5)).toBe(10);
    expect(backoffSec(20, () => 0.5)).toBe(3600);
    expect(backoffSec(1, () => 0)).toBe(4);
    expect(backoffSec(1, () => 1)).toBeCloseTo(6, 9);
  });

  it('are given up after 3 days (scaled), the last error kept', async () => {
    global.status = 503;
    const task = await suite.task();
    const [row] = await rowsOf(task.id);
    await finish(row!.id);
    suite.worker({ timeScale: 0.00001 }); // 3 days → 2.6 s
    const gaveUp = await until(
      () => suite.db.get<{ lastError: string; attempts: number; deliveredAt: number | null }>("SELECT lastError, attempts, deliveredAt FROM webhook_outbox WHERE lastError LIKE 'gave up%'"),
      10_000,
      'give-up',
    );
    expect(gaveUp!.lastError).toMatch(/^gave up after \d+ attempts: HTTP 503$/);
    expect(gaveUp!.deliveredAt).toBeNull();
    const n = global.hooks.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(global.hooks.length).toBe(n);
  });

  it('a number closed by task-signal-close and the SUCCESS_ANOTHER_PHONE siblings get theirs too', async () => {
    const task = await suite.task({}, []);
    const { upsertTask } = await import('../../src/services/tasks/upsert.js');
    await upsertTask(suite.ctx, { id: task.id, innerNum: '201', numbers: [{ number: '79001110001', clientId: 'c1' }, { number: '79001110002', clientId: 'c1' }, '79001110003'] });
    const rows = await rowsOf(task.id);
    await finishAttempt(suite.db, rows[0]!.id, 'SUCCESS_CLIENT_H', { state: 'endCall' }, { nowSec: Date.now() / 1000, retryAt: () => 0 });
    const { signalClose } = await import('../../src/services/tasks/signal-close.js');
    await signalClose(suite.ctx, { phone: '79001110003' });
    const keys = await suite.db.values<string>('SELECT idempotencyKey FROM webhook_outbox ORDER BY id');
    expect(keys).toEqual(rows.map((r) => `call.result:${r.id}`));
    const bodies = await suite.db.values<string>('SELECT body FROM webhook_outbox ORDER BY id');
    expect(bodies.map((b) => JSON.parse(b).data.result)).toEqual(['SUCCESS_CLIENT_H', 'SUCCESS_ANOTHER_PHONE', 'SUCCESS_EXTERNAL_SIGNAL']);
  });
});

describe('task.state webhooks', () => {
  it('pause, resume, close through the API, closed by the dialer when done, deleted', async () => {
    const task = await suite.task({ callbackUrl: perTask.url });
    suite.worker();
    await changeTask(suite.ctx, task.id, { state: 2 });
    await changeTask(suite.ctx, task.id, { state: 2 }); // no change: no event
    await changeTask(suite.ctx, task.id, { state: 0 });
    const [row] = await rowsOf(task.id);
    await finish(row!.id, 'SUCCESS_CLIENT_H', 'ANSWER');
    expect(await closeTaskIfDone(suite.db, task.id, Date.now() / 1000)).toBe(true);
    await changeTask(suite.ctx, task.id, { state: 0 });
    await changeTask(suite.ctx, task.id, { state: 1 });
    await deleteTask(suite.ctx, task.id);
    const received = () => perTask.hooks.filter((h) => h.event === 'task.state');
    await until(() => received().length === 6, 5000, 'six task.state events');
    // deliveries run concurrently (no order between rows): the order of the changes is the outbox's
    const written = await suite.db.all<{ idempotencyKey: string; body: string }>("SELECT idempotencyKey, body FROM webhook_outbox WHERE url = ? AND event = 'task.state' ORDER BY id", [perTask.url]);
    expect(new Set(received().map((h) => h.key))).toEqual(new Set(written.map((w) => w.idempotencyKey)));
    const states = () => written.map((w) => JSON.parse(w.body).data);
    expect(states().map((d) => [d.previousState, d.state, d.reason])).toEqual([
      ['0', '2', 'api'],
      ['2', '0', 'api'],
      ['0', '1', 'completed'],
      ['1', '0', 'api'],
      ['0', '1', 'api'],
      ['1', 'deleted', 'deleted'],
    ]);
    expect(states()[0]).toMatchObject({ id: String(task.id), crmId: task.crmId });
    // the global URL got the same events, each key once per URL
    await until(() => global.hooks.filter((h) => h.event === 'task.state').length === 6, 5000, 'global task.state');
    expect(perTask.hooks.every((h) => h.verified)).toBe(true);
    expect(new Set(perTask.hooks.map((h) => h.key)).size).toBe(perTask.hooks.length);
  });

  it('nothing is written when no URL is set', async () => {
    await suite.settings.patch({ webhookUrl: null });
    const task = await suite.task();
    const [row] = await rowsOf(task.id);
    await finish(row!.id);
    await changeTask(suite.ctx, task.id, { state: 2 });
    expect(await suite.db.value<number>('SELECT COUNT(*) FROM webhook_outbox')).toBe(0);
  });
});

describe('housekeeping', () => {
  it('deletes delivered rows older than the retention, keeps the rest', async () => {
    const now = Date.now() / 1000;
    const insert = (key: string, deliveredAt: number | null) =>
      suite.db.run('INSERT INTO webhook_outbox (url, event, body, idempotencyKey, createdAt, attempts, nextAttemptAt, deliveredAt) VALUES (?, ?, ?, ?, ?, 1, ?, ?)', [
        'http://127.0.0.1:1/x', 'call.result', '{}', key, now - 100, 1e15, deliveredAt,
      ]);
    await insert('old', now - 50);
    await insert('recent', now - 5);
    await insert('given-up', null);
    suite.worker({ keepDeliveredSec: 20 });
    await until(async () => (await suite.db.value<number>("SELECT COUNT(*) FROM webhook_outbox WHERE idempotencyKey = 'old'")) === 0, 3000, 'prune');
    expect(await suite.db.values<string>('SELECT idempotencyKey FROM webhook_outbox ORDER BY id')).toEqual(['recent', 'given-up']);
  });
});

describe('claiming', () => {
  it('two workers on one database never deliver the same row twice', async () => {
    const task = await suite.task({}, Array.from({ length: 120 }, (_, i) => `7900200${String(i).padStart(4, '0')}`));
    for (const r of await rowsOf(task.id)) await finish(r.id);
    suite.worker({ batch: 8 });
    suite.worker({ batch: 8 });
    await until(() => global.delivered().size === 120, 15_000, '120 deliveries');
    expect(global.hooks.length).toBe(120);
  });
});
