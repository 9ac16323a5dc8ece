import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { testConfig } from '../../src/config.js';
import type { Queries } from '../../src/db/port.js';
import { createSettingsReader } from '../../src/services/settings/index.js';

const log = pino({ level: 'silent' });

/** A database whose reads can be made to fail, counting them. */
function fakeDb(rows: Array<{ key: string; value: string }>) {
  const state = { fail: false, reads: 0 };
  const db = {
    dialect: 'sqlite',
    async all() {
      state.reads += 1;
      if (state.fail) throw new Error('database is locked');
      return rows;
    },
  } as unknown as Queries;
  return { db, state };
}

describe('settings reader', () => {
  it('environment values for keys without a row, stored values over them', async () => {
    const { db } = fakeDb([{ key: 'crmUrl', value: 'https://crm.example/x' }, { key: 'rhvoiceRate', value: '12' }]);
    const r = createSettingsReader(db, testConfig({ CRM_URL: 'http://env.example/', DIALER_CALLBACK_ALERT_TEXT: 'Перезвон клиенту' }), log);
    expect(await r.current()).toMatchObject({ crmUrl: 'https://crm.example/x', rhvoiceRate: 12, callbackAlertText: 'Перезвон клиенту', ttsEngine: 'yandex', rhvoiceVoice: 'vitaliy-ng' });
  });

  it('ignores a stored value it cannot read (the environment value is used) and keys it does not know', async () => {
    const { db } = fakeDb([{ key: 'ttsEngine', value: 'festival' }, { key: 'someFutureKey', value: 'x' }]);
    const s = await createSettingsReader(db, testConfig({ TTS_ENGINE: 'rhvoice' }), log).current();
    expect(s.ttsEngine).toBe('rhvoice');
    expect(s).not.toHaveProperty('someFutureKey');
  });

  it('reads the database at most once per ttl, and never throws: a failed read answers the last known values', async () => {
    const { db, state } = fakeDb([{ key: 'crmLogin', value: 'stored' }]);
    const r = createSettingsReader(db, testConfig(), log, { ttlMs: 50 });
    await Promise.all([r.current(), r.current(), r.current()]);
    expect(state.reads).toBe(1);
    await r.current();
    expect(state.reads).toBe(1);
    state.fail = true;
    await new Promise((res) => setTimeout(res, 60));
    expect((await r.current()).crmLogin).toBe('stored');
    // Before any successful read, the environment's values.
    const cold = createSettingsReader(db, testConfig({ CRM_LOGIN: 'env-login' }), log);
    expect((await cold.current()).crmLogin).toBe('env-login');
  });

  it('a change written through it is seen by the next read, even while an older read is still running', async () => {
    const table = new Map<string, string>([['crmLogin', 'before']]);
    let delayMs = 0;
    const db = {
      dialect: 'sqlite',
      async all() {
        const snapshot = [...table].map(([key, value]) => ({ key, value }));
        await new Promise((r) => setTimeout(r, delayMs));
        return snapshot;
      },
      async run(sql: string, params: unknown[]) {
        if (sql.startsWith('DELETE')) table.delete(params[0] as string);
        else table.set(params[0] as string, params[1] as string);
        return 1;
      },
      async tx(fn: (q: unknown) => Promise<unknown>) {
        return fn(db);
      },
    } as unknown as Queries;
    const r = createSettingsReader(db, testConfig(), log, { ttlMs: 60_000 });
    delayMs = 100;
    const slow = r.current(); // reads 'before', answers after the write below
    delayMs = 0;
    expect((await r.patch({ crmLogin: 'after' })).ok).toBe(true);
    expect((await r.current()).crmLogin).toBe('after');
    expect((await slow).crmLogin).toBe('before');
    expect((await r.current()).crmLogin).toBe('after'); // the stale read was not kept
  });
});
