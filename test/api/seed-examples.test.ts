import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { startHttpServer } from '../../src/api/server.js';
import { testConfig } from '../../src/config.js';
import { noPromptPreparer } from '../../src/ports.js';
import { freshEnv } from '../helpers/env.js';
import { BASE, fakeConverter, fakeDialer, REMOTE, testApi } from './helpers.js';

/**
 * The curl examples of the original documentation (seed file), sent as the same requests, checked
 * against the documented response shapes. curl -d sends Content-Type application/x-www-form-urlencoded.
 */
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

const POLLING_JSON = `{
"name": "New polling",
"questions": [
{
"questionId": "1",
"questionText": "Добрый день, у нас есть новый товар, для заказа товара нажмите 1, не интересует - нажмите 2, для отказа от подписке нажмите 3",
"press": [
{
"key": "1",
"action": "playback",
"value": "\\"Спасибо за выбор этого товара\\"",
"valueOptions": "text"
},
{
"key": "3",
"action": "playback",
"value": "\\"Спасибо за ваш ответ\\"",
"valueOptions": "text"
}
],
"nextQuestion": ""
}
]
}`;

// The documented task example, as the JSON it means (the shell quoting in the doc sends an empty body).
const TASK_JSON = `{
"name": "New pollingtask",
"state": 0,
"innerNum": "9",
"innerNumType": "polling",
"maxCountChannels": 1,
"dialPrefix": "999",
"numbers": [
{
"number": "79522233446"
},
{
"number": "79522233416"
}
]
}`;

const envelopeKeys = ['result', 'data', 'messages', 'function', 'processor', 'pid'];

/**
 * The `data` of the seed's example answers, copied as documented (long texts shortened). Their JSON types
 * are the contract: database values are strings, `null` is a NULL column; POST /task echoes the integers
 * it was sent, POST /polling answers the crmId it assigned as a number.
 */
const SEED = {
  postPolling: { id: '7', crmId: 7, name: 'New polling' },
  getPollings: { results: [{ id: '8', crmId: '8', name: 'New polling' }] },
  getPolling: {
    id: '7',
    crmId: '7',
    name: 'New polling',
    questions: [{ id: '79', questionText: 'Добрый день…', questionFile: null, lang: 'ru-RU', press: [{ key: '1', action: 'playback', value: '"Спасибо…"', valueOptions: null, nextQuestion: null }] }],
  },
  postTask: { id: '41', crmId: '41', name: 'New pollingtask', innerNum: '9', innerNumType: 'polling', maxCountChannels: 1, state: 0, dialPrefix: '999' },
  resultRow: {
    id: '132',
    taskId: '41',
    phoneId: '9522233446',
    phone: '79522233446',
    linkedId: 'mikopbx-1724235065.54',
    callFile: 'dialer-41-79522233446-9.call',
    result: 'SUCCESS_POLLING',
    outDialState: null,
    inDialState: null,
    state: 'EVENT_POLLING_END',
    verboseCallId: '[C-0000001b]',
    cause: null,
    params: 's:0:"";',
    changeTime: '1724235073',
    countTry: null,
    timeCallAllow: '0',
    closeTime: '1724235073',
  },
  pollingResultRow: { id: '45', taskId: '41', questionCrmId: '0', pollingId: '9', phoneId: '9522233446', phone: '79522233446', result: '1', exten: '1', changeTime: '1724235071.0536' },
  postAudio: { filename: '/storage/usbdisk1/mikopbx/custom_modules/ModuleAutoDialer/db/audio/474d57f8204699fbb2249f20dede5f8e.mp3' },
  getAudio: [{ id: '1', name: '1.mp3', path: '/storage/usbdisk1/mikopbx/custom_modules/ModuleAutoDialer/db/audio/474d57f8204699fbb2249f20dede5f8e.mp3' }],
};
const SEED_TASK = { ...SEED.postTask, maxCountChannels: '1', state: '1', results: [SEED.resultRow], resultsPoling: [SEED.pollingResultRow] };

const jsonType = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Every field of the seed's example is in the answer with the example's JSON type. Of an array, the
 * answer's first element is checked against the example's (the tests put that row in the example's
 * state: a number not dialed yet has no linkedId). A `null` in the example is a NULL column, which holds
 * text once set, so there the answer may be null or a string, never a number.
 */
function expectSeedTypes(actual: unknown, seed: unknown, path = 'data'): void {
  if (seed === null) return void expect(['null', 'string'], `${path} (null in the seed)`).toContain(jsonType(actual));
  expect(jsonType(actual), path).toBe(jsonType(seed));
  if (Array.isArray(seed) && seed.length) {
    expect((actual as unknown[]).length, `${path} is not empty`).toBeGreaterThan(0);
    expectSeedTypes((actual as unknown[])[0], seed[0], `${path}[0]`);
  }
  else if (jsonType(seed) === 'object')
    for (const [k, v] of Object.entries(seed as object)) {
      expect(actual as object, `${path} has ${k}`).toHaveProperty(k);
      expectSeedTypes((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    }
}

/** Our own fields, which keep their native types (docs/api.md). */
const OWN_NATIVE_FIELDS = new Set(['hangupCause']);
/** Every field not in `checked` (the seed's example, checked by expectSeedTypes) and not ours is a database value: a string or null. */
function expectOtherFieldsAreText(row: Record<string, unknown>, checked: object, path: string): void {
  for (const [k, v] of Object.entries(row))
    if (!(k in checked) && !OWN_NATIVE_FIELDS.has(k)) expect(['null', 'string'], `${path}.${k}`).toContain(jsonType(v));
}

describe('seed curl examples', () => {
  const t = testApi({ DIALER_ADMIN_PASSWORD: 'adminpassword' });

  it('logs in with the admin-cabinet form and uses the cookie', async () => {
    const r = await t.call('POST', '/admin-cabinet/session/start', 'login=admin&password=adminpassword', REMOTE, {
      ...FORM,
      'X-Requested-With': 'XMLHttpRequest',
    });
    expect(r.json).toEqual({ success: true, reload: false, message: [] });
    const cookie = r.headers.get('set-cookie')!.split(';')[0];
    const list = await t.call('GET', '/polling', undefined, REMOTE, { cookie });
    expect(list.json.result).toBe(true);
  });

  it('POST /polling answers {id, crmId, name} and voices the prompts without the quotes', async () => {
    const r = await t.call('POST', '/polling', POLLING_JSON, undefined, FORM);
    expect(Object.keys(r.json)).toEqual(envelopeKeys);
    expect(r.json).toMatchObject({ result: true, data: { id: '1', crmId: 1, name: 'New polling' }, messages: [], function: '', processor: '' });
    expect(r.json.pid).toBe(process.pid);
    expectSeedTypes(r.json.data, SEED.postPolling);
    expect(t.prompts.seen.at(-1)!.map((p) => p.text)).toEqual([
      expect.stringMatching(/^Добрый день/),
      'Спасибо за выбор этого товара',
      'Спасибо за ваш ответ',
    ]);
  });

  it('GET /polling lists pollings under data.results', async () => {
    await t.call('POST', '/polling', { name: 'Опрос о новом товаре' });
    const r = await t.call('GET', '/polling');
    expect(r.json.data.results).toEqual([
      { id: '1', crmId: '1', name: 'New polling' },
      { id: '2', crmId: '2', name: 'Опрос о новом товаре' },
    ]);
    expectSeedTypes(r.json.data, SEED.getPollings);
  });

  it('GET /polling/{id} nests questions and press', async () => {
    const r = await t.call('GET', '/polling/1');
    expect(r.json.result).toBe(true);
    const q = r.json.data.questions[0];
    expect(r.json.data).toMatchObject({ id: '1', crmId: '1', name: 'New polling' });
    expectSeedTypes(r.json.data, SEED.getPolling);
    expectOtherFieldsAreText(q, SEED.getPolling.questions[0], 'data.questions[0]');
    expect(q).toMatchObject({ questionText: expect.stringMatching(/^Добрый день/), questionFile: null, lang: 'ru-RU' });
    expect(q.press).toEqual([
      { key: '1', action: 'playback', value: '"Спасибо за выбор этого товара"', valueOptions: 'text', nextQuestion: null },
      { key: '3', action: 'playback', value: '"Спасибо за ваш ответ"', valueOptions: 'text', nextQuestion: null },
    ]);
  });

  it('POST /task creates task 1000000001 with the documented fields', async () => {
    const r = await t.call('POST', '/task', TASK_JSON.replace('"innerNum": "9"', '"innerNum": "1"'), undefined, FORM);
    expect(r.json).toMatchObject({
      result: true,
      data: { id: '1000000001', crmId: '1000000001', name: 'New pollingtask', innerNum: '1', innerNumType: 'polling', maxCountChannels: 1, state: 0, dialPrefix: '999' },
    });
    expect(r.json.messages).toEqual([]);
    expectSeedTypes(r.json.data, SEED.postTask);
    expectOtherFieldsAreText(r.json.data, SEED.postTask, 'data');
  });

  it('the doc task example as the shell actually sends it (empty body) gets a clear error', async () => {
    const r = await t.call('POST', '/task', '', undefined, FORM);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ result: false, messages: ['Invalid JSON request body'] });
  });

  it('GET /task/{id} returns the task with results and resultsPoling, typed as the seed shows', async () => {
    await t.db.run(
      `INSERT INTO polling_results (taskId, pollingId, questionCrmId, phoneId, phone, result, exten, changeTime) VALUES (1000000001, 1, '0', '9522233446', '79522233446', '1', '1', 1724235071.0536)`,
    );
    // the first number as the seed's example shows it after its survey: closed, with call ids set
    await t.db.run(
      `UPDATE task_results SET linkedId = 'mikopbx-1724235065.54', callFile = 'ch-1', result = 'SUCCESS_POLLING', state = 'EVENT_POLLING_END',
         verboseCallId = '[C-0000001b]', changeTime = 1724235073, closeTime = 1724235073 WHERE taskId = 1000000001 AND phoneId = '9522233446'`,
    );
    await t.db.run(`UPDATE tasks SET state = 1 WHERE id = 1000000001`);
    const r = await t.call('GET', '/task/1000000001');
    expect(r.json.result).toBe(true);
    expect(r.json.data.results.map((x: any) => [x.phoneId, x.phone, x.state, x.result, x.changeTime, x.closeTime, x.timeCallAllow])).toEqual([
      // a whole stored time keeps its ".0" (see docs/api.md "Times"): same string type, same number as the seed
      ['9522233446', '79522233446', 'EVENT_POLLING_END', 'SUCCESS_POLLING', '1724235073.0', '1724235073.0', '0'],
      ['9522233416', '79522233416', 'CreateTask', '', expect.stringMatching(/^\d+(\.\d+)?$/), '0', '0'],
    ]);
    expect(r.json.data).toMatchObject({ id: '1000000001', crmId: '1000000001', maxCountChannels: '1', state: '1', dialPrefix: '999' });
    expectSeedTypes(r.json.data, SEED_TASK);
    expectOtherFieldsAreText(r.json.data, SEED_TASK, 'data');
    for (const row of r.json.data.results) expectOtherFieldsAreText(row, {}, 'data.results[]');
    expect(r.json.data.results[0].hangupCause).toBeNull(); // ours: an integer Q.850 code once a call ended
    expect(r.json.data.resultsPoling).toEqual([
      expect.objectContaining({ taskId: '1000000001', questionCrmId: '0', pollingId: '1', phoneId: '9522233446', result: '1', exten: '1' }),
    ]);
    // the stored float, as text that reads back to the same number
    expect(Number(r.json.data.resultsPoling[0].changeTime)).toBe(1724235071.0536);
  });

  it('GET /results/{changeTime} and /polling-results/{changeTime}, typed as the seed shows', async () => {
    const r = await t.call('GET', '/results/0');
    expect(r.json.data.results).toHaveLength(2);
    expectSeedTypes(r.json.data, { results: [SEED.resultRow] });
    for (const row of r.json.data.results) expectOtherFieldsAreText(row, {}, 'data.results[]');
    const p = await t.call('GET', '/polling-results/1724235071.0536');
    expect(p.json.data.results).toHaveLength(1);
    expect(p.json.data.results[0]).toMatchObject({ questionCrmId: '0', pollingId: '1', phoneId: '9522233446', exten: '1' });
    expectSeedTypes(p.json.data, { results: [SEED.pollingResultRow] });
    expectOtherFieldsAreText(p.json.data.results[0], {}, 'data.results[0]');
    // 1C's next request: the changeTime it got back (its register keeps whole seconds) is accepted
    const again = await t.call('GET', `/polling-results/${p.json.data.results[0].changeTime}`);
    expect(again.json.data.results.map((x: any) => x.id)).toEqual([p.json.data.results[0].id]);
    expect((await t.call('GET', '/results/1724235073')).json.data.results.length).toBeGreaterThan(0);
  });

  it('POST /audio (curl -F "file=@1.mp3"), GET /audio, DELETE /audio/1.mp3', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('ID3fake mp3')]), '1.mp3');
    const up = await t.call('POST', '/audio', form);
    expect(up.json.result).toBe(true);
    expect(up.json.data.filename).toMatch(/^\/.*\/audio\/[0-9a-f]{40}\.wav$/);
    expectSeedTypes(up.json.data, SEED.postAudio);
    const list = await t.call('GET', '/audio');
    expect(list.json.data).toEqual([{ id: '1', name: '1.mp3', path: up.json.data.filename }]);
    expectSeedTypes(list.json.data, SEED.getAudio);
    const del = await t.call('DELETE', '/audio/1.mp3');
    expect(del.json).toMatchObject({ result: true, data: [] });
  });
});

describe('real HTTP server', () => {
  it('serves a seed curl example over fetch on port 0', async () => {
    const e = await freshEnv();
    const config = testConfig({ DIALER_DATA_DIR: e.dir, DIALER_HTTP_HOST: '127.0.0.1', DIALER_HTTP_PORT: '0', DIALER_LOG_LEVEL: 'silent', DIALER_MAX_BODY_BYTES: String(1024 * 1024) });
    const app = createApp({ config, db: e.db, log: e.log, dialer: fakeDialer(), audio: fakeConverter(), prompts: noPromptPreparer });
    const server = await startHttpServer(app, config, e.log);
    try {
      const post = await fetch(`${server.url}${BASE}/polling`, { method: 'POST', body: POLLING_JSON, headers: FORM });
      expect(await post.json()).toMatchObject({ result: true, data: { id: '1', crmId: 1, name: 'New polling' } });
      const get = await fetch(`${server.url}${BASE}/polling`);
      expect((await get.json()).data.results).toEqual([{ id: '1', crmId: '1', name: 'New polling' }]);
      const health = await (await fetch(`${server.url}/health`)).json();
      expect(health).toMatchObject({ ok: true, simulator: true, db: { ok: true } });
      // a streamed (chunked, no Content-Length) body over the limit is cut off with 413
      const chunk = new TextEncoder().encode(' '.repeat(64 * 1024));
      const stream = new ReadableStream({
        start(c) {
          for (let i = 0; i < 20; i++) c.enqueue(chunk); // 1.25 MiB > the 1 MiB limit of this server
          c.close();
        },
      });
      const big = await fetch(`${server.url}${BASE}/task`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
      expect(big.status).toBe(413);
      expect(await big.json()).toMatchObject({ result: false });
    } finally {
      await server.close();
      await e.cleanup();
    }
  });
});
