import { readFileSync } from 'node:fs';
import { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { dncRoutes } from '../../src/api/routes/dnc.js';
import { BASE, testApi } from './helpers.js';

/** The do-not-call API: add, list, remove, CSV import (100 000 rows, bad rows, header, BOM, separators). */
const api = testApi();
const { call } = api;

beforeAll(() => {
  // until src/api/app.ts registers the routes, mount them on the app under test the same way
  if (!readFileSync(new URL('../../src/api/app.ts', import.meta.url), 'utf8').includes('dncRoutes(')) {
    const v1 = new Hono();
    dncRoutes(v1, { config: api.config, db: api.db, log: api.log, dialer: api.dialer, audio: api.audio, prompts: api.prompts });
    api.app.route(BASE, v1);
  }
});

const csv = (text: string, query = '') => call('POST', `/dnc/import${query}`, text, undefined, { 'content-type': 'text/csv' });
const count = (taskId: number) => api.db.value<number>('SELECT COUNT(*) FROM dnc WHERE taskId = ?', [taskId]);

describe('POST /dnc, GET /dnc, DELETE /dnc/{phone}', () => {
  it('adds numbers to the global list, identity = last 10 digits', async () => {
    const r = await call('POST', '/dnc', { numbers: ['+7 (900) 111-22-33', 89001112244, '79001112233'], reason: 'asked not to be called' });
    expect(r.json).toMatchObject({ result: true, data: { taskId: 0, added: 2, alreadyListed: 1 } });
    const again = await call('POST', '/dnc', { numbers: ['89001112233'] });
    expect(again.json.data).toEqual({ taskId: 0, added: 0, alreadyListed: 1 });
    const list = await call('GET', '/dnc?taskId=0');
    expect(list.json.result).toBe(true);
    expect(list.json.data.results.map((e: { phone: string }) => e.phone)).toEqual(['79001112233', '89001112244']);
    expect(list.json.data.results[0]).toMatchObject({ taskId: '0', phoneId: '9001112233', reason: 'asked not to be called' });
    expect(typeof list.json.data.results[0].id).toBe('string');
    // search by phone in any format, matched on the last 10 digits
    const found = await call('GET', '/dnc?phone=8%20900%20111%2022%2033');
    expect(found.json.data.results).toHaveLength(1);
  });

  it('per-task lists need an existing task; keyset paging', async () => {
    const t = await call('POST', '/task', { innerNum: '201', numbers: ['79005550001'] });
    const taskId = Number(t.json.data.id);
    const bad = await call('POST', '/dnc', { numbers: ['79005550001'], taskId: 999 });
    expect(bad.json).toMatchObject({ result: false, messages: ['Field "taskId": task 999 does not exist (0 or omitted = the global list)'] });
    const ok = await call('POST', '/dnc', { numbers: ['79005550001', '79005550002', '79005550003'], taskId: String(taskId) });
    expect(ok.json.data).toEqual({ taskId, added: 3, alreadyListed: 0 });
    const page1 = await call('GET', `/dnc?taskId=${taskId}&limit=2`);
    expect(page1.json.data.results).toHaveLength(2);
    const page2 = await call('GET', `/dnc?taskId=${taskId}&limit=2&offset=${page1.json.data.results[1].id}`);
    expect(page2.json.data.results.map((e: { phone: string }) => e.phone)).toEqual(['79005550003']);
    // removing from the task's list leaves the global one alone
    const del = await call('DELETE', `/dnc/89005550002?taskId=${taskId}`);
    expect(del.json).toMatchObject({ result: true, data: { removed: 1 } });
    expect(await count(taskId)).toBe(2);
    const none = await call('DELETE', '/dnc/79005550002');
    expect(none.json).toMatchObject({ result: true, data: { removed: 0 }, messages: ['Number 79005550002 is not on the global list'] });
    // deleting the task deletes its list
    await call('DELETE', `/task/${taskId}`);
    expect(await count(taskId)).toBe(0);
  });

  it('refuses bad input naming the field, writing nothing', async () => {
    const before = await count(0);
    const r = await call('POST', '/dnc', { numbers: ['79001230000', '7900abc', ''] });
    expect(r.json).toMatchObject({
      result: false,
      messages: ['Number "7900abc" (numbers[1]) may contain only digits, spaces, dashes, parentheses and a leading +', 'Number "" (numbers[2]) is empty'],
    });
    expect(await count(0)).toBe(before);
    expect((await call('POST', '/dnc', { numbers: '79001230000' })).json.messages).toEqual(['Field "numbers" must be an array of phone numbers']);
    expect((await call('POST', '/dnc', { numbers: [] })).json.messages).toEqual(['Field "numbers" must list at least one number']);
    expect((await call('POST', '/dnc', { numbers: ['1'], taskId: -1 })).json.messages).toEqual(['Field "taskId" must be an integer from 0 to 9007199254740991']);
    expect((await call('POST', '/dnc', { numbers: ['1'], reason: 'x'.repeat(201) })).json.messages).toEqual(['Field "reason" must be at most 200 characters']);
    expect((await call('GET', '/dnc?limit=0')).json.messages).toEqual(['Field "limit" must be an integer from 1 to 10000']);
    expect((await call('GET', '/dnc?phone=abc')).json.messages[0]).toMatch(/^Field "phone" "abc" may contain only digits/);
    expect((await call('DELETE', '/dnc/abc')).json.result).toBe(false);
    expect((await call('POST', '/dnc', 'not json')).json.messages).toEqual(['Invalid JSON request body']);
  });
});

describe('POST /dnc/import', () => {
  it('imports 100 000 rows streamed, with a header, a BOM, CRLF and ; separated columns', async () => {
    const lines = ['\uFEFFname;phone'];
    for (let i = 0; i < 100_000; i++) lines.push(`client ${i};7911${String(i).padStart(7, '0')}`);
    const before = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const r = await csv(lines.join('\r\n'), '?reason=import%201');
    const ms = performance.now() - t0;
    expect(r.json).toMatchObject({ result: true, data: { taskId: 0, rows: 100_000, added: 100_000, alreadyListed: 0 } });
    expect(await api.db.value<number>("SELECT COUNT(*) FROM dnc WHERE reason = 'import 1'")).toBe(100_000);
    // importing it again changes nothing
    const again = await csv(lines.join('\n'));
    expect(again.json.data).toMatchObject({ rows: 100_000, added: 0, alreadyListed: 100_000 });
    // eslint-disable-next-line no-console
    console.log(`dnc import: 100 000 rows in ${Math.round(ms)} ms, heap +${Math.round((process.memoryUsage().heapUsed - before) / 1048576)} MB`);
  }, 120_000);

  it('a column of numbers without a header, comma separated, quoted cells, blank rows', async () => {
    const r = await csv('"79120000001",x\n\n79120000002\n+7 912 000-00-03,\n');
    expect(r.json.data).toMatchObject({ rows: 3, added: 3 });
  });

  it('a file with bad rows imports nothing and names them by line number', async () => {
    const before = await count(0);
    const r = await csv('phone\n79130000001\n7913abc\n79130000002\n\nhello world\n');
    expect(r.json).toMatchObject({
      result: false,
      messages: [
        'Nothing imported: 2 of 4 rows are not phone numbers',
        'Line 3: "7913abc" may contain only digits, spaces, dashes, parentheses and a leading +',
        'Line 6: "hello world" may contain only digits, spaces, dashes, parentheses and a leading +',
      ],
    });
    expect(await count(0)).toBe(before);
    const many = await csv(['79130000001', ...Array.from({ length: 30 }, (_, i) => `bad${i}`)].join('\n'));
    expect(many.json.messages).toHaveLength(22); // summary, 20 lines, "... and 10 more bad rows"
    expect(many.json.messages.at(-1)).toBe('... and 10 more bad rows');
    expect((await csv('')).json.messages).toEqual(['Nothing imported: the file has no numbers']);
    expect((await csv('79130000001', '?taskId=12345')).json.messages).toEqual(['Field "taskId": task 12345 does not exist (0 or omitted = the global list)']);
  });

  it('takes a multipart upload (first file) into a task\'s list', async () => {
    const t = await call('POST', '/task', { innerNum: '201', numbers: ['79140000001'] });
    const form = new FormData();
    form.append('file', new Blob(['79140000001\n79140000002\n'], { type: 'text/csv' }), 'stop.csv');
    const r = await call('POST', `/dnc/import?taskId=${t.json.data.id}`, form);
    expect(r.json).toMatchObject({ result: true, data: { taskId: Number(t.json.data.id), rows: 2, added: 2 } });
  });
});
