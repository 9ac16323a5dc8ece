import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { testConfig } from '../../src/config.js';
import { openDb, type Db } from '../../src/db/client.js';
import { finishAttempt } from '../../src/services/attempts/index.js';
import { fakeConverter, fakeDialer, fakePrompts, LOCAL } from '../api/helpers.js';
import { postgresServer } from '../helpers/env.js';
import { freshDatabase } from '../helpers/postgres.js';

/**
 * The same CRM session against the service on SQLite and on PostgreSQL, with the same clock: every answer must be
 * the same, byte for byte (field order, JSON types, strings of numbers, times with their ".0", nulls).
 */
const log = pino({ level: 'silent' });
const dir = mkdtempSync(join(tmpdir(), 'autodialer-bytes-'));
const sides: { name: string; db: Db; app: ReturnType<typeof createApp>; t: number }[] = [];

beforeAll(async () => {
  for (const url of [join(dir, 'same.sqlite'), await freshDatabase(postgresServer()!)]) {
    const config = testConfig({ DIALER_DATA_DIR: dir, DIALER_LOG_LEVEL: 'silent', DIALER_TIMEZONE: 'UTC', DATABASE_URL: url });
    const db = await openDb(url);
    const side = { name: db.dialect, db, t: 1724235073 } as (typeof sides)[number];
    // a clock that moves in steps a client may see both whole and fractional
    const now = () => (side.t += 0.125);
    side.app = createApp({ config, db, log, dialer: fakeDialer(), audio: fakeConverter(), prompts: fakePrompts(), now, nowMs: () => side.t * 1000 });
    sides.push(side);
  }
});
afterAll(async () => {
  for (const s of sides) await s.db.close();
  rmSync(dir, { recursive: true, force: true });
});

const BASE = '/pbxcore/api/module-dialer/v1';

async function both(method: string, path: string, body?: unknown): Promise<string> {
  const answers: string[] = [];
  for (const s of sides) {
    const res = await s.app.request(BASE + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }, LOCAL);
    answers.push(`${res.status} ${res.headers.get('content-type')}\n${await res.text()}`);
  }
  expect(answers[1], `${method} ${path}`).toBe(answers[0]);
  return answers[0]!;
}

describe('SQLite and PostgreSQL answer the same bytes', () => {
  it('for a CRM session: pollings, tasks, numbers, results, signal-close, clients, errors', async () => {
    await both('POST', '/polling', {
      name: 'Опрос',
      questions: [{ questionId: 'q1', questionText: 'Нажмите 1', timeout: 3, press: [{ key: '1', action: 'answer', value: 'да' }] }],
    });
    await both('GET', '/polling');
    await both('GET', '/polling/1');
    const task = JSON.parse((await both('POST', '/task', {
      crmId: 'crm-1',
      name: 'Кампания "весна"',
      innerNum: '1',
      innerNumType: 'polling',
      maxCountChannels: 3,
      maxAttempt: 2,
      timeStart: 540.5,
      timeEnd: 1260,
      numbers: ['79001112233', { number: '+7 (900) 111-22-34', clientId: 'c1', params: { fio: 'Иванов', n: 1.5 } }, { number: '79001112235', clientId: 'c1' }],
    })).split('\n')[1]!);
    const id = Number(task.data.id);
    await both('GET', `/task/${id}`);
    await both('GET', '/task?limit=10');
    // calls end on each side at the same (fake) moments: a failure with a retry, a success closing the client's sibling
    for (const s of sides) {
      const rows = await s.db.all<{ id: number }>('SELECT id FROM task_results WHERE taskId = ? ORDER BY id', [id]);
      await finishAttempt(s.db, rows[0]!.id, 'FAIL', { state: 'EndCall', outDialState: 'BUSY', hangupCause: 17, cause: 'User busy' }, { nowSec: 1724235100, retryAt: () => 1724235160 });
      await finishAttempt(s.db, rows[1]!.id, 'SUCCESS_POLLING', { state: 'EventPollingEnd', linkedId: 'dlr-2-1-x' }, { nowSec: 1724235101.0625, retryAt: () => 0 });
      await s.db.run(
        'INSERT INTO polling_results (taskId, pollingId, questionCrmId, phoneId, phone, result, exten, linkedId, verboseCallId, changeTime) VALUES (?, 1, ?, ?, ?, ?, ?, ?, NULL, ?)',
        [id, 'q1', '9001112234', '79001112234', 'да', '1', 'dlr-2-1-x', 1724235101.5],
      );
    }
    await both('GET', `/task/${id}`);
    await both('GET', '/results/0');
    await both('GET', '/results/1724235100');
    await both('GET', '/results/1724235101.0625');
    await both('GET', '/polling-results/0');
    await both('GET', '/polling-results/1724235101.5');
    await both('POST', '/task-signal-close', { phone: '79001112233' });
    await both('GET', `/task/${id}`);
    await both('POST', '/task', { id, name: 'renamed', numbers: ['79001112233', '79001112299'] });
    await both('GET', `/task/${id}`);
    await both('POST', '/client', { clients: [{ crmId: 'k1', name: 'ООО Ромашка', phones: ['79001112233'], properties: { NAME: 'Ромашка', CITY: 'Тверь' } }] });
    await both('GET', '/client-by-phone/79001112233');
    await both('DELETE', '/client/k1');
    await both('GET', '/client-by-phone/79001112233');
    await both('POST', '/task', { name: 'bad', innerNum: '1', innerNumType: 'polling', maxCountChannels: 'x', numbers: ['12'] });
    await both('GET', '/task/999');
    await both('PUT', `/task/${id}`, { state: 2 });
    await both('DELETE', `/task/${id}`);
    await both('GET', '/task?limit=10');
  });
});
