import { describe, expect, it } from 'vitest';
import { testApi } from './helpers.js';

const counts = (t: ReturnType<typeof testApi>) =>
  Promise.all(['tasks', 'task_results', 'pollings', 'questions', 'question_actions', 'audio_files'].map((tbl) => t.db.value(`SELECT COUNT(*) FROM ${tbl}`)));

describe('bad input never changes data and never yields a 5xx', () => {
  const t = testApi({ DIALER_MAX_BODY_BYTES: '4096', DIALER_MAX_UPLOAD_BYTES: '2048' });
  const JSON_ENDPOINTS: [string, string][] = [
    ['POST', '/task'],
    ['PUT', '/task/1000000001'],
    ['POST', '/polling'],
    ['POST', '/task-signal-close'],
  ];

  it('seeds one task so PUT has a target', async () => {
    expect((await t.call('POST', '/task', { crmId: 'base', innerNum: '1', numbers: ['79001234567'] })).json.result).toBe(true);
  });

  it('invalid JSON, empty body, arrays and scalars are refused with a message', async () => {
    const before = await counts(t);
    for (const [method, path] of JSON_ENDPOINTS) {
      for (const body of ['{"name": ', '', 'null', '[1,2]', '"x"', '{name: 1}']) {
        const r = await t.call(method, path, body);
        expect(r.status, `${method} ${path} ${body}`).toBe(200);
        expect(r.json.result).toBe(false);
        expect(r.json.messages[0]).toMatch(/Invalid JSON request body|must be a JSON object/);
      }
    }
    expect(await counts(t)).toEqual(before);
  });

  it('a UTF-8 BOM is stripped', async () => {
    const r = await t.call('POST', '/task', '\uFEFF' + JSON.stringify({ crmId: 'bom', innerNum: '1' }));
    expect(r.json).toMatchObject({ result: true, data: { crmId: 'bom' } });
    const p = await t.call('POST', '/polling', '\uFEFF{"name":"bom"}');
    expect(p.json.result).toBe(true);
  });

  it('missing or blank innerNum gets the original message', async () => {
    for (const body of [{}, { innerNum: '' }, { innerNum: '   ' }, { innerNum: null }]) {
      const r = await t.call('POST', '/task', body);
      expect(r.json).toMatchObject({ result: false, messages: ['Field "innerNum" is required and cannot be empty'] });
    }
    expect((await t.call('PUT', '/task/1000000001', { innerNum: '' })).json.messages).toEqual(['Field "innerNum" is required and cannot be empty']);
  });

  it('wrong types name the field', async () => {
    const before = await counts(t);
    const cases: [string, string, unknown, string][] = [
      ['POST', '/task', { innerNum: '1', maxCountChannels: 'many' }, 'maxCountChannels'],
      ['POST', '/task', { innerNum: '1', state: 7 }, 'state'],
      ['POST', '/task', { innerNum: '1', innerNumType: 'queue' }, 'innerNumType'],
      ['POST', '/task', { innerNum: '1', numbers: 'abc' }, 'numbers'],
      ['POST', '/task', { innerNum: '1', numbers: [true] }, 'numbers[0]'],
      ['POST', '/task', { innerNum: '1', name: { a: 1 } }, 'name'],
      ['POST', '/task', { innerNum: '1', dialPrefix: '9;rm' }, 'dialPrefix'],
      ['POST', '/task', { innerNum: '1', timeEnd: 5000 }, 'timeEnd'],
      ['POST', '/task', { innerNum: '1; DROP', numbers: [] }, 'innerNum'],
      ['PUT', '/task/1000000001', { maxCountChannels: 0 }, 'maxCountChannels'],
      ['PUT', '/task/1000000001', { state: 'paused' }, 'state'],
      ['POST', '/polling', { questions: {} }, 'questions'],
      ['POST', '/polling', { questions: [{ press: [{ key: '1', action: 'explode' }] }] }, 'questions[0].press[0].action'],
      ['POST', '/polling', { questions: [{ press: [{ action: 'answer' }] }] }, 'questions[0].press[0].key'],
      ['POST', '/polling', { questions: [{ timeout: 'soon' }] }, 'questions[0].timeout'],
      ['POST', '/task-signal-close', { phone: '79001234567', taskId: 'x' }, 'taskId'],
      ['POST', '/task-signal-close', { phone: '79abc' }, 'phone'],
    ];
    for (const [method, path, body, field] of cases) {
      const r = await t.call(method, path, body);
      expect(r.status).toBe(200);
      expect(r.json.result, `${method} ${path} ${JSON.stringify(body)}`).toBe(false);
      expect(r.json.messages.join(' '), `${method} ${path} ${JSON.stringify(body)}`).toContain(`"${field}"`);
    }
    expect(await counts(t)).toEqual(before);
  });

  it('bad ids and timestamps in the path are logical errors naming the value', async () => {
    for (const [method, path] of [
      ['GET', '/task/abc'],
      ['GET', '/task/-1'],
      ['GET', '/task/1e9'],
      ['DELETE', '/task/0'],
      ['PUT', '/task/..%2F..'],
      ['GET', '/polling/x'],
      ['DELETE', '/polling/1.5'],
      ['GET', '/results/yesterday'],
      ['GET', '/results/-5'],
      ['GET', '/polling-results/1e3'],
      ['GET', '/task?state=9'],
      ['GET', '/task?offset=abc'],
      ['GET', '/task?limit=0'],
    ]) {
      const r = await t.call(method, path, method === 'PUT' ? {} : undefined);
      expect(r.status, `${method} ${path}`).toBe(200);
      expect(r.json.result, `${method} ${path}`).toBe(false);
      expect(r.json.messages.length).toBeGreaterThan(0);
    }
  });

  it('bodies over the limit get 413 and change nothing', async () => {
    const before = await counts(t);
    const big = JSON.stringify({ innerNum: '1', name: 'x'.repeat(5000) });
    for (const [method, path] of JSON_ENDPOINTS) {
      const r = await t.call(method, path, big);
      expect(r.status, `${method} ${path}`).toBe(413);
      expect(r.json.result).toBe(false);
    }
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(3000)]), 'big.mp3');
    expect((await t.call('POST', '/audio', form)).status).toBe(413);
    expect(await counts(t)).toEqual(before);
  });

  it('unknown routes and methods → the original 404 JSON', async () => {
    for (const [method, path] of [['GET', '/nothing'], ['PATCH', '/task/1'], ['GET', '/pbxcore/api/module-dialer/v2/task']]) {
      const r = await t.call(method, path);
      expect(r.status).toBe(404);
      expect(r.json).toMatchObject({ jsonapi: { version: '1.0' }, errors: ['404 (Not Found)'] });
    }
  });

  it('a failing number in a large list leaves an existing task exactly as it was', async () => {
    const before = (await t.call('GET', '/task/1000000001')).json.data;
    const numbers = Array.from({ length: 500 }, (_, i) => String(79100000000 + i));
    numbers[499] = '7910000x';
    const r = await t.call('POST', '/task', { crmId: 'base', innerNum: '2', name: 'changed', numbers });
    expect(r.json.result).toBe(false);
    expect((await t.call('GET', '/task/1000000001')).json.data).toEqual(before);
  });

  it('GET /test answers result:true', async () => {
    expect((await t.call('GET', '/test')).json).toMatchObject({ result: true });
  });
});
