import { describe, expect, it } from 'vitest';
import { finishAttempt } from '../../src/services/attempts/index.js';
import { REMOTE, testApi } from './helpers.js';

/** What real clients send that the first version refused or mishandled (issue "Drop-in for real clients"). */

const count = async (t: ReturnType<typeof testApi>, table: string) => Number(await t.db.value(`SELECT COUNT(*) FROM ${table}`));
const snapshot = async (t: ReturnType<typeof testApi>) => [
  await t.db.all('SELECT * FROM tasks ORDER BY id'),
  await t.db.all('SELECT * FROM task_results ORDER BY id'),
];

describe('tokens', () => {
  const t = testApi({ DIALER_API_TOKENS: 'tok-a' });

  it('X-Auth-Token works like Authorization: Bearer; a wrong one does not', async () => {
    expect((await t.call('GET', '/task', undefined, REMOTE, { 'X-Auth-Token': 'tok-a' })).status).toBe(200);
    expect((await t.call('GET', '/task', undefined, REMOTE, { 'x-auth-token': 'Bearer tok-a' })).status).toBe(200);
    expect((await t.call('GET', '/task', undefined, REMOTE, { 'X-Auth-Token': 'tok-b' })).status).toBe(401);
    expect((await t.call('GET', '/task', undefined, REMOTE, { 'X-Auth-Token': '' })).status).toBe(401);
    // either header may carry the good token
    expect((await t.call('GET', '/task', undefined, REMOTE, { authorization: 'Bearer nope', 'X-Auth-Token': 'tok-a' })).status).toBe(200);
    expect((await t.call('GET', '/task', undefined, REMOTE, { authorization: 'Bearer tok-a', 'X-Auth-Token': 'nope' })).status).toBe(200);
  });
});

describe('work hours in fractional minutes (1C: (time − 0001-01-01)/60)', () => {
  const t = testApi();

  it('accepts fractions on POST and stores the minute they fall in', async () => {
    const r = await t.call('POST', '/task', { innerNum: '201', timeStart: 540.5, timeEnd: 1439.9833333333333 });
    expect(r.json).toMatchObject({ result: true, data: { timeStart: 540, timeEnd: 1439 } });
  });

  it('accepts fractions on PUT, also as strings, and the full 0..1440 range', async () => {
    const { id } = (await t.call('POST', '/task', { innerNum: '201' })).json.data;
    const r = await t.call('PUT', `/task/${id}`, { timeStart: '0.25', timeEnd: '1440' });
    expect(r.json).toMatchObject({ result: true, data: { timeStart: 0, timeEnd: 1440 } });
    expect((await t.call('PUT', `/task/${id}`, { timeStart: 1080.0166666 })).json.data.timeStart).toBe(1080);
  });

  it('refuses values outside 0..1440 naming the field, and writes nothing', async () => {
    const before = await snapshot(t);
    for (const bad of [{ timeStart: -0.5 }, { timeEnd: 1440.01 }, { timeEnd: '9:00' }, { timeStart: true }]) {
      const r = await t.call('POST', '/task', { innerNum: '201', ...bad });
      expect(r.json.result).toBe(false);
      expect(r.json.messages).toEqual([`Field "${Object.keys(bad)[0]}" must be a number of minutes from 0 to 1440 (fractions allowed)`]);
    }
    expect(await snapshot(t)).toEqual(before);
  });
});

describe('unset retries: maxAttempt 0, tryInterval 0', () => {
  const t = testApi();

  it('are stored as sent (the original stores them)', async () => {
    const r = await t.call('POST', '/task', { innerNum: '201', maxAttempt: 0, tryInterval: 0, numbers: ['79001234567'] });
    expect(r.json).toMatchObject({ result: true, data: { maxAttempt: 0, tryInterval: 0 } });
    const put = await t.call('PUT', `/task/${r.json.data.id}`, { maxAttempt: '0' });
    expect(put.json.data.maxAttempt).toBe(0);
  });

  it('mean one attempt: a failed call is not retried', async () => {
    const { id } = (await t.call('POST', '/task', { crmId: 'once', innerNum: '201', maxAttempt: 0, tryInterval: 0, numbers: ['79001230000'] })).json.data;
    const row = (await t.db.get<{ id: number }>('SELECT id FROM task_results WHERE taskId = ?', [Number(id)]))!;
    const out = await finishAttempt(t.db, row.id, 'FAIL', { state: 'endCall', outDialState: 'BUSY' }, { nowSec: 2e9, retryAt: (s) => 2e9 + s });
    expect(out.closed).toBe(true);
    expect(out.retryRowId).toBeUndefined();
    expect(await count(t, `task_results WHERE taskId = ${id}`)).toBe(1);
    // the same failure with maxAttempt 2 is retried: the guard above is maxAttempt, not something else
    const two = (await t.call('POST', '/task', { crmId: 'twice', innerNum: '201', maxAttempt: 2, tryInterval: 0, numbers: ['79001230001'] })).json.data;
    const row2 = (await t.db.get<{ id: number }>('SELECT id FROM task_results WHERE taskId = ?', [Number(two.id)]))!;
    const again = await finishAttempt(t.db, row2.id, 'FAIL', { state: 'endCall', outDialState: 'BUSY' }, { nowSec: 2e9, retryAt: (s) => 2e9 + s });
    expect(again.retryRowId).toBeGreaterThan(0);
  });

  it('a negative maxAttempt is still refused naming the field', async () => {
    const r = await t.call('POST', '/task', { innerNum: '201', maxAttempt: -1 });
    expect(r.json).toMatchObject({ result: false, messages: ['Field "maxAttempt" must be an integer from 0 to 1000'] });
  });
});

describe('a polling task must name an existing polling', () => {
  const t = testApi();
  let pollingId = 0;

  it('setup: one polling', async () => {
    const p = await t.call('POST', '/polling', { name: 'Survey', questions: [{ questionId: '1', questionText: 'Press 1', press: [{ key: '1', action: 'answer', value: 'yes' }] }] });
    expect(p.json.result).toBe(true);
    pollingId = Number(p.json.data.id);
    expect(pollingId).toBeGreaterThan(0);
  });

  it('POST with an innerNum that is no polling (1C sends 0 before the polling is synced) is refused; nothing is written', async () => {
    const before = await snapshot(t);
    for (const innerNum of [0, '999', 'abc']) {
      const r = await t.call('POST', '/task', { crmId: 'p-1', innerNum, innerNumType: 'polling', numbers: ['79001234567'] });
      expect(r.json.result).toBe(false);
      expect(r.json.messages).toEqual([`Field "innerNum": polling "${innerNum}" does not exist (with innerNumType "polling", innerNum must be the internal id of a saved polling)`]);
    }
    expect(await snapshot(t)).toEqual(before);
  });

  it('an existing polling is accepted; exten tasks are not checked', async () => {
    expect((await t.call('POST', '/task', { crmId: 'p-1', innerNum: pollingId, innerNumType: 'polling', numbers: ['79001234567'] })).json.result).toBe(true);
    expect((await t.call('POST', '/task', { crmId: 'e-1', innerNum: '999', numbers: ['79001234568'] })).json.result).toBe(true);
  });

  it('an upsert that turns a task into a polling task, or points it elsewhere, is checked too', async () => {
    const before = await snapshot(t);
    // e-1 is an exten task with innerNum 999: re-POSTed as polling without innerNumType change of innerNum
    const a = await t.call('POST', '/task', { crmId: 'e-1', innerNum: '999', innerNumType: 'polling' });
    expect(a.json.messages[0]).toMatch(/^Field "innerNum": polling "999" does not exist/);
    // p-1 stays a polling task (innerNumType omitted) but names another innerNum
    const b = await t.call('POST', '/task', { crmId: 'p-1', innerNum: '998', numbers: [] });
    expect(b.json.messages[0]).toMatch(/^Field "innerNum": polling "998" does not exist/);
    expect(await snapshot(t)).toEqual(before);
  });

  it('PUT: setting a missing polling is refused; a PUT that only pauses is not, even after the polling is gone', async () => {
    const p1 = (await t.call('GET', '/task')).json.data.results.find((x: any) => x.crmId === 'p-1');
    const e1 = (await t.call('GET', '/task')).json.data.results.find((x: any) => x.crmId === 'e-1');
    const before = await snapshot(t);
    expect((await t.call('PUT', `/task/${p1.id}`, { innerNum: '777' })).json.messages[0]).toMatch(/^Field "innerNum": polling "777" does not exist/);
    expect((await t.call('PUT', `/task/${e1.id}`, { innerNumType: 'polling' })).json.messages[0]).toMatch(/^Field "innerNum": polling "999" does not exist/);
    expect(await snapshot(t)).toEqual(before);

    await t.call('DELETE', `/polling/${pollingId}`);
    const paused = await t.call('PUT', `/task/${p1.id}`, { state: 2 });
    expect(paused.json).toMatchObject({ result: true, data: { state: 2 } });
  });
});
