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
    expect(r.json).toMatchObject({ result: true, data: { id: 1, crmId: '1', name: 'New polling' }, messages: [], function: '', processor: '' });
    expect(r.json.pid).toBe(process.pid);
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
      { id: 1, crmId: '1', name: 'New polling' },
      { id: 2, crmId: '2', name: 'Опрос о новом товаре' },
    ]);
  });

  it('GET /polling/{id} nests questions and press', async () => {
    const r = await t.call('GET', '/polling/1');
    expect(r.json.result).toBe(true);
    const q = r.json.data.questions[0];
    expect(r.json.data).toMatchObject({ id: 1, crmId: '1', name: 'New polling' });
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
      data: { id: 1000000001, crmId: '1000000001', name: 'New pollingtask', innerNum: '1', innerNumType: 'polling', maxCountChannels: 1, state: 0, dialPrefix: '999' },
    });
    expect(r.json.messages).toEqual([]);
  });

  it('the doc task example as the shell actually sends it (empty body) gets a clear error', async () => {
    const r = await t.call('POST', '/task', '', undefined, FORM);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ result: false, messages: ['Invalid JSON request body'] });
  });

  it('GET /task/{id} returns the task with results and resultsPoling', async () => {
    t.db.$client
      .prepare(`INSERT INTO polling_results (taskId, pollingId, questionCrmId, phoneId, phone, result, exten, changeTime) VALUES (1000000001, 1, '0', '9522233446', '79522233446', '1', '1', 1724235071.0536)`)
      .run();
    const r = await t.call('GET', '/task/1000000001');
    expect(r.json.result).toBe(true);
    expect(r.json.data.results.map((x: any) => [x.phoneId, x.phone, x.state, x.result])).toEqual([
      ['9522233446', '79522233446', 'CreateTask', ''],
      ['9522233416', '79522233416', 'CreateTask', ''],
    ]);
    expect(Object.keys(r.json.data.results[0])).toEqual(
      expect.arrayContaining(['id', 'taskId', 'phoneId', 'phone', 'linkedId', 'callFile', 'result', 'outDialState', 'inDialState', 'state', 'verboseCallId', 'cause', 'params', 'changeTime', 'countTry', 'timeCallAllow', 'closeTime']),
    );
    expect(r.json.data.resultsPoling).toEqual([
      expect.objectContaining({ taskId: 1000000001, questionCrmId: '0', pollingId: 1, phoneId: '9522233446', result: '1', exten: '1', changeTime: 1724235071.0536 }),
    ]);
  });

  it('GET /results/{changeTime} and /polling-results/{changeTime}', async () => {
    const r = await t.call('GET', '/results/0');
    expect(r.json.data.results).toHaveLength(2);
    const p = await t.call('GET', '/polling-results/1724235071.0536');
    expect(p.json.data.results).toHaveLength(1);
    expect(p.json.data.results[0]).toMatchObject({ questionCrmId: '0', pollingId: 1, phoneId: '9522233446', exten: '1' });
  });

  it('POST /audio (curl -F "file=@1.mp3"), GET /audio, DELETE /audio/1.mp3', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('ID3fake mp3')]), '1.mp3');
    const up = await t.call('POST', '/audio', form);
    expect(up.json.result).toBe(true);
    expect(up.json.data.filename).toMatch(/^\/.*\/audio\/[0-9a-f]{40}\.wav$/);
    const list = await t.call('GET', '/audio');
    expect(list.json.data).toEqual([{ id: 1, name: '1.mp3', path: up.json.data.filename }]);
    const del = await t.call('DELETE', '/audio/1.mp3');
    expect(del.json).toMatchObject({ result: true, data: [] });
  });
});

describe('real HTTP server', () => {
  it('serves a seed curl example over fetch on port 0', async () => {
    const e = freshEnv();
    const config = testConfig({ DIALER_DATA_DIR: e.dir, DIALER_HTTP_HOST: '127.0.0.1', DIALER_HTTP_PORT: '0', DIALER_LOG_LEVEL: 'silent', DIALER_MAX_BODY_BYTES: String(1024 * 1024) });
    const app = createApp({ config, db: e.db, log: e.log, dialer: fakeDialer(), audio: fakeConverter(), prompts: noPromptPreparer });
    const server = await startHttpServer(app, config, e.log);
    try {
      const post = await fetch(`${server.url}${BASE}/polling`, { method: 'POST', body: POLLING_JSON, headers: FORM });
      expect(await post.json()).toMatchObject({ result: true, data: { id: 1, crmId: '1', name: 'New polling' } });
      const get = await fetch(`${server.url}${BASE}/polling`);
      expect((await get.json()).data.results).toEqual([{ id: 1, crmId: '1', name: 'New polling' }]);
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
      e.cleanup();
    }
  });
});
