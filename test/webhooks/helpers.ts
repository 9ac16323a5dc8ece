import { afterAll, beforeAll } from 'vitest';
import type { ServiceCtx } from '../../src/services/context.js';
import { createSettingsReader, type SettingsStore } from '../../src/services/settings/index.js';
import { upsertTask } from '../../src/services/tasks/upsert.js';
import { startWebhookDelivery, type WebhookDelivery, type WebhookDeliveryOptions } from '../../src/webhooks/index.js';
import { freshEnv } from '../helpers/env.js';

/** A fresh database with a settings store and webhook workers started on demand (all stopped in afterAll). */
export function webhookSuite(env: Record<string, string> = {}) {
  let made: { e: Awaited<ReturnType<typeof freshEnv>>; settings: SettingsStore; ctx: ServiceCtx } | undefined;
  const workers: WebhookDelivery[] = [];
  beforeAll(async () => {
    const e = await freshEnv(env);
    const settings = createSettingsReader(e.db, e.config, e.log, { ttlMs: 0 });
    made = { e, settings, ctx: { db: e.db, config: e.config, log: e.log, now: () => Date.now() / 1000 } };
  });
  afterAll(async () => {
    for (const w of workers) await w.stop();
    await made?.e.cleanup();
  });
  const s = () => {
    if (!made) throw new Error('webhookSuite: use inside tests');
    return made;
  };
  return {
    get db() {
      return s().e.db;
    },
    get ctx() {
      return s().ctx;
    },
    get settings() {
      return s().settings;
    },
    /** Stop the workers started so far (each test starts its own, with its own time scale). */
    async stopWorkers() {
      for (const w of workers.splice(0)) await w.stop();
    },
    worker(o: Partial<WebhookDeliveryOptions> = {}) {
      const w = startWebhookDelivery({ db: s().e.db, log: s().e.log, settings: s().settings, timeScale: 0.01, pollMs: 20, timeoutMs: 5000, ...o });
      workers.push(w);
      return w;
    },
    async task(fields: Record<string, unknown> = {}, numbers: string[] = ['79001112233']) {
      const out = await upsertTask(s().ctx, { innerNum: '201', numbers, ...fields } as Parameters<typeof upsertTask>[1]);
      if (!out.ok) throw new Error(out.messages.join('; '));
      return out.data;
    },
  };
}

export async function until<T>(what: () => T | Promise<T>, timeoutMs = 10_000, label = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
