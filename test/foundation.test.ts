import { describe, expect, it, afterAll } from 'vitest';
import { loadConfig, ConfigError } from '../src/config.js';
import { normaliseNumber, phoneIdOf } from '../src/domain/phone.js';
import { freshEnv, testDialect } from './helpers/env.js';

describe('configuration', () => {
  it('uses the documented defaults', () => {
    const c = loadConfig({});
    expect(c.http).toMatchObject({ host: '0.0.0.0', port: 8090 });
    expect(c.dataDir).toBe('./data');
    expect(c.auth.adminLogin).toBe('admin');
    expect(c.auth.adminPassword).toBeUndefined();
    expect(c.ari.app).toBe('autodialer');
  });
  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ DIALER_HTTP_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ DIALER_HTTP_PORT: 'eighty' })).toThrow(/DIALER_HTTP_PORT/);
    expect(() => loadConfig({ ARI_URL: 'not a url' })).toThrow(/ARI_URL/);
    expect(() => loadConfig({ DIALER_TIMEZONE: 'Mars/Olympus' })).toThrow(/DIALER_TIMEZONE/);
  });
});

describe('phone numbers', () => {
  it('strips formatting and a leading plus', () => {
    expect(normaliseNumber('+7 (952) 223-34-46')).toEqual({ ok: true, number: '79522233446' });
  });
  it('rejects anything that is not a number', () => {
    expect(normaliseNumber('79a22').ok).toBe(false);
    expect(normaliseNumber('').ok).toBe(false);
    expect(normaliseNumber({}).ok).toBe(false);
  });
  it('identifies a subscriber by the last 10 digits', () => {
    expect(phoneIdOf('79001234567')).toBe(phoneIdOf('89001234567'));
    expect(phoneIdOf('201')).toBe('201');
  });
});

const env = await freshEnv();

describe('database', () => {
  afterAll(() => env.cleanup());
  it('starts task ids at 1000000001', async () => {
    expect(await env.db.value("INSERT INTO tasks (name) VALUES ('x') RETURNING id")).toBe(1000000001);
  });
  it.runIf(testDialect() === 'sqlite')('runs SQLite in WAL mode', async () => {
    expect(await env.db.value('PRAGMA journal_mode')).toBe('wal');
  });
});

describe('README', () => {
  it('documents every configuration variable', async () => {
    const { readFileSync } = await import('node:fs');
    const { CONFIG_VARIABLES } = await import('../src/config.js');
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const missing = CONFIG_VARIABLES.filter((v) => !readme.includes(`\`${v}\``));
    expect(missing).toEqual([]);
  });
});
