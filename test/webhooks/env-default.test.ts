import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishAttempt } from '../../src/services/attempts/index.js';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.js';
import { until, webhookSuite } from './helpers.js';

/** WEBHOOK_URL / WEBHOOK_SECRET are the defaults of the settings webhookUrl / webhookSecret; a stored setting wins. */
let receiver: WebhookReceiver;
let other: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver('env-secret');
  other = await startWebhookReceiver('db-secret');
});
afterAll(async () => {
  await receiver.close();
  await other.close();
});
// the receiver's port is known only now: the suite's environment is read in its own beforeAll, after this one
const env: Record<string, string> = {};
beforeAll(() => {
  env.WEBHOOK_URL = receiver.url;
  env.WEBHOOK_SECRET = 'env-secret';
});
const suite = webhookSuite(env);

describe('webhook settings from the environment', () => {
  it('posts to WEBHOOK_URL signed with WEBHOOK_SECRET until the settings override them; the secret is never answered', async () => {
    const task = await suite.task();
    const [row] = await suite.db.all<{ id: number }>('SELECT id FROM task_results WHERE taskId = ?', [task.id]);
    await finishAttempt(suite.db, row!.id, 'FAIL', { state: 'endCall' }, { nowSec: Date.now() / 1000, retryAt: () => 0 });
    suite.worker();
    await until(() => receiver.hooks.length === 1, 5000, 'delivery to WEBHOOK_URL');
    expect(receiver.hooks[0]!.verified).toBe(true);

    const view = await suite.settings.patch({ webhookUrl: other.url, webhookSecret: 'db-secret' });
    expect(view.ok && view.data).toMatchObject({ webhookUrl: other.url, webhookSecret: '', webhookSecretSet: true });
    const t2 = await suite.task({}, ['79005554433']);
    const [row2] = await suite.db.all<{ id: number }>('SELECT id FROM task_results WHERE taskId = ?', [t2.id]);
    await finishAttempt(suite.db, row2!.id, 'FAIL', { state: 'endCall' }, { nowSec: Date.now() / 1000, retryAt: () => 0 });
    await until(() => other.hooks.length === 1, 5000, 'delivery to the stored webhookUrl');
    expect(other.hooks[0]!.verified).toBe(true);
    expect(receiver.hooks).toHaveLength(1);

    const bad = await suite.settings.patch({ webhookUrl: 'ftp://x' });
    expect(bad.ok ? [] : bad.messages).toEqual(['Field "webhookUrl" must be an http:// or https:// URL']);
  });
});
