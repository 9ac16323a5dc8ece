import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/db/client.js';
import { finishAttempt } from '../../src/services/attempts/index.js';
import { testApi } from './helpers.js';

const rowsOf = (t: ReturnType<typeof testApi>, taskId: number | string) =>
  t.db.all<any>('SELECT * FROM task_results WHERE taskId = ? ORDER BY id', [Number(taskId)]);
const closeRow = (t: ReturnType<typeof testApi>, id: number, result = 'SUCCESS') =>
  t.db.run('UPDATE task_results SET result = ?, closeTime = 100, state = ? WHERE id = ?', [result, 'endCall', id]);

describe('POST /task: create and upsert', () => {
  const t = testApi({ DIALER_TIMEZONE: 'Europe/Moscow' });

  it('creates with the original defaults and crmId = id, and tells the dialer', async () => {
    const r = await t.call('POST', '/task', { innerNum: '201' });
    // fields the request did not set are database values as strings, as the original answered them
    expect(r.json.data).toEqual({ id: '1000000001', crmId: '1000000001', name: '', innerNum: '201', innerNumType: 'exten', maxCountChannels: '1', state: '0', dialPrefix: '', maxAttempt: '1', attemptUntilSignal: '0', timeStart: '0', timeEnd: '1440', tryInterval: '60', isCallback: '0' });
    expect(t.dialer.changed.at(-1)).toEqual([1000000001]);
  });

  it('upserts by crmId: same crmId → same task, only sent fields change', async () => {
    const a = await t.call('POST', '/task', { crmId: 'crm-1', innerNum: '201', name: 'first', maxCountChannels: 3 });
    const b = await t.call('POST', '/task', { crmId: 'crm-1', innerNum: '202', name: null });
    expect(b.json.data.id).toBe(a.json.data.id);
    // maxCountChannels was set by the first POST only: the second answers the stored value as a string
    expect(a.json.data).toMatchObject({ crmId: 'crm-1', maxCountChannels: 3 });
    expect(b.json.data).toMatchObject({ crmId: 'crm-1', innerNum: '202', name: 'first', maxCountChannels: '3' });
  });

  it('upserts by id when crmId is empty; an unknown id creates a new task with a fresh id', async () => {
    const a = await t.call('POST', '/task', { innerNum: '201', name: 'by id' });
    const b = await t.call('POST', '/task', { id: a.json.data.id, crmId: '', innerNum: '201', name: 'renamed' });
    expect(b.json.data).toMatchObject({ id: a.json.data.id, name: 'renamed' });
    const c = await t.call('POST', '/task', { id: 5, innerNum: '201' });
    expect(Number(c.json.data.id)).toBeGreaterThan(Number(b.json.data.id));
  });

  it('a re-POST without state does not reopen a closed task; state:0 does; "" counts as 0', async () => {
    const a = await t.call('POST', '/task', { crmId: 'reopen', innerNum: '1', state: 1 });
    expect(a.json.data.state).toBe(1); // sent: echoed as a number
    expect((await t.call('POST', '/task', { crmId: 'reopen', innerNum: '1' })).json.data.state).toBe('1'); // not sent: the stored "1"
    expect((await t.call('POST', '/task', { crmId: 'reopen', innerNum: '1', state: '0' })).json.data.state).toBe(0);
    await t.call('POST', '/task', { crmId: 'reopen', innerNum: '1', state: 2 });
    expect((await t.call('POST', '/task', { crmId: 'reopen', innerNum: '1', state: '' })).json.data.state).toBe(0);
  });

  it('accepts numbers as strings and objects and stores them normalised', async () => {
    const r = await t.call('POST', '/task', {
      innerNum: '1',
      numbers: [
        '+7 (952) 223-34-46',
        { number: 79522233416, params: { NAME: 'Иван' }, clientId: 42, timeCallAllow: '24.12.2030 10:00:00', TimeOffset: '5.5' },
        { number: '89001112233', TimeOffset: 0 },
      ],
    });
    const rows = await rowsOf(t, r.json.data.id);
    expect(rows.map((x) => [x.phone, x.phoneId, x.params, x.clientId, x.timeCallAllow, x.timeOffsetMinutes, x.state, x.closeTime])).toEqual([
      ['79522233446', '9522233446', '', '', 0, null, 'CreateTask', 0],
      ['79522233416', '9522233416', '{"NAME":"Иван"}', '42', Date.UTC(2030, 11, 24, 7) / 1000, 330, 'CreateTask', 0],
      ['89001112233', '9001112233', '', '', 0, 0, 'CreateTask', 0],
    ]);
  });

  it('rejects a bad number naming it, and writes nothing', async () => {
    const before = await t.db.get('SELECT COUNT(*) AS n FROM tasks');
    const r = await t.call('POST', '/task', { crmId: 'bad-numbers', innerNum: '1', numbers: ['79001234567', '7900abc', { number: '79001112233', TimeOffset: 15 }, { number: '79001112234', timeCallAllow: '31.02.2030 10:00:00' }] });
    expect(r.json.result).toBe(false);
    expect(r.json.messages).toEqual([
      expect.stringContaining('Number "7900abc" (numbers[1])'),
      expect.stringMatching(/Number "79001112233".*TimeOffset/),
      expect.stringMatching(/Number "79001112234".*timeCallAllow/),
    ]);
    expect(await t.db.get('SELECT COUNT(*) AS n FROM tasks')).toEqual(before);
  });

  it('refuses a polling task that points at a polling that does not exist (test/api/drop-in-tasks.test.ts)', async () => {
    const r = await t.call('POST', '/task', { innerNum: '9', innerNumType: 'polling' });
    expect(r.json.result).toBe(false);
    expect(r.json.messages).toEqual([expect.stringContaining('Field "innerNum": polling "9" does not exist')]);
  });
});

describe('GET /task/{id} of a big task', () => {
  const t = testApi();

  it('answers every number in insertion order, read from the database a page at a time', async () => {
    const numbers = Array.from({ length: 4500 }, (_, i) => `7901${String(i).padStart(7, '0')}`);
    const id = (await t.call('POST', '/task', { name: 'big', innerNum: '201', state: 2, numbers })).json.data.id;
    const got = (await t.call('GET', `/task/${id}`)).json.data.results as { id: string; phone: string }[];
    expect(got.map((r) => r.phone)).toEqual(numbers);
    const ids = got.map((r) => Number(r.id));
    expect(ids.every((x, i) => i === 0 || x > ids[i - 1]!)).toBe(true);
  });
});

describe('POST /task: number merge', () => {
  const t = testApi();
  const post = (numbers: unknown[]) => t.call('POST', '/task', { crmId: 'merge', innerNum: '1', numbers });

  it('identity is the last 10 digits; duplicates are kept once (first wins); empty numbers are skipped', async () => {
    const r = await post(['79001234567', '89001234567', '', '79001234568', { number: '+79001234568', params: 'x' }]);
    expect(r.json.messages).toEqual(['numbers[2]: empty number skipped']);
    expect((await rowsOf(t, r.json.data.id)).map((x) => x.phone)).toEqual(['79001234567', '79001234568']);
  });

  it('keeps existing rows with their results, removes absent numbers, appends new ones in order', async () => {
    const id = (await post(['79001234567', '79001234568', '79001234569'])).json.data.id;
    const [first, second] = await rowsOf(t, id);
    await closeRow(t, first.id, 'SUCCESS_CLIENT_H');
    const r = await post(['89001234567', '79001234570', '79001234569', '79001234571']);
    expect(r.json.result).toBe(true);
    const rows = await rowsOf(t, id);
    expect(rows.map((x) => [x.phone, x.result])).toEqual([
      ['79001234567', 'SUCCESS_CLIENT_H'], // kept, result intact, not re-dialed
      ['79001234569', ''],
      ['79001234570', ''],
      ['79001234571', ''],
    ]);
    expect(rows.find((x) => x.id === second.id)).toBeUndefined();
  });

  it('a removed number whose call is in progress keeps its row, so the outcome of that call is recorded', async () => {
    const postOwn = (numbers: string[]) => t.call('POST', '/task', { crmId: 'merge-in-call', innerNum: '1', numbers });
    const id = (await postOwn(['79001234567', '79001234568'])).json.data.id;
    const [inCall, waiting] = await rowsOf(t, id);
    await t.db.run("UPDATE task_results SET state = 'CreateCallFile', callFile = 'ch-1' WHERE id = ?", [inCall.id]);
    await postOwn(['79001234569']);
    const rows = await rowsOf(t, id);
    expect(rows.map((x) => [x.phone, x.state])).toEqual([
      ['79001234567', 'CreateCallFile'],
      ['79001234569', 'CreateTask'],
    ]);
    expect(rows.find((x) => x.id === waiting.id)).toBeUndefined();
    // that call then fails: it is recorded, and the removed number is not called again (no retry row)
    await t.db.run('UPDATE tasks SET maxAttempt = 3 WHERE id = ?', [Number(id)]);
    const out = await finishAttempt(t.db, inCall.id, 'FAIL', { state: 'endCall', outDialState: 'BUSY' }, { nowSec: 2e9, retryAt: (s) => 2e9 + s });
    expect(out.closed).toBe(true);
    expect(out.retryRowId).toBeUndefined();
    expect((await rowsOf(t, id)).map((x) => [x.phone, x.result])).toEqual([
      ['79001234567', 'FAIL'],
      ['79001234569', ''],
    ]);
  });

  it('updates params/clientId/timeCallAllow/TimeOffset only on open rows; keeps every attempt row', async () => {
    const id = (await post(['79001234567', '79001234569'])).json.data.id;
    const [closed, open] = await rowsOf(t, id);
    // a pending retry row (attempt 2) of the closed number must survive a re-POST
    await t.db.run("INSERT INTO task_results (taskId, phoneId, phone, changeTime, attemptNumber, state) VALUES (?, '9001234567', '79001234567', 1, 2, 'CreateTask')", [
      Number(id),
    ]);
    await post([{ number: '79001234567', params: { a: 1 } }, { number: '79001234569', params: { b: 2 }, clientId: 'c1', TimeOffset: -3 }]);
    const rows = await rowsOf(t, id);
    expect(rows.map((x) => [x.id, x.params, x.clientId, x.timeOffsetMinutes])).toEqual([
      [closed.id, '', '', null],
      [open.id, '{"b":2}', 'c1', -180],
      [expect.any(Number), '{"a":1}', '', null],
    ]);
  });

  it('numbers omitted leaves the list alone; numbers [] removes all', async () => {
    const id = (await post(['79001234567'])).json.data.id;
    await t.call('POST', '/task', { crmId: 'merge', innerNum: '1', name: 'renamed' });
    expect(await rowsOf(t, id)).toHaveLength(2); // the closed row and the retry row of 79001234567
    await post([]);
    expect(await rowsOf(t, id)).toHaveLength(0);
  });

  it('handles 20 000 numbers in one request', async () => {
    const numbers = Array.from({ length: 20_000 }, (_, i) => String(79000000000 + i));
    const r = await post(numbers);
    expect(r.json.result).toBe(true);
    expect(await rowsOf(t, r.json.data.id)).toHaveLength(20_000);
  });
});

describe('GET /task, GET/PUT/DELETE /task/{id}', () => {
  const t = testApi();

  it('lists by id with a state filter, keyset offset and limit', async () => {
    const ids: string[] = [];
    for (const state of [0, 1, 2, 0, 1]) ids.push((await t.call('POST', '/task', { innerNum: '1', state })).json.data.id);
    const all = await t.call('GET', '/task');
    expect(all.json.data.results.map((x: any) => x.id)).toEqual(ids);
    const open = await t.call('GET', '/task?state=0');
    expect(open.json.data.results.map((x: any) => x.id)).toEqual([ids[0], ids[3]]);
    const page = await t.call(`GET`, `/task?offset=${ids[1]}&limit=2`);
    expect(page.json.data.results.map((x: any) => x.id)).toEqual([ids[2], ids[3]]);
    const blank = await t.call('GET', '/task?state=&limit=');
    expect(blank.json.data.results).toHaveLength(5);
  });

  it('GET unknown id → result:false, data:[]', async () => {
    const r = await t.call('GET', '/task/42');
    expect(r.json).toMatchObject({ result: false, data: [], messages: ['Task 42 not found'] });
  });

  it('PUT pauses/resumes and preserves crmId when omitted', async () => {
    const a = (await t.call('POST', '/task', { crmId: 'keep-me', innerNum: '1', numbers: ['79001234567'] })).json.data;
    const r = await t.call('PUT', `/task/${a.id}`, { state: 2, maxCountChannels: '10', numbers: [] });
    // integer fields the PUT set are answered as numbers (even "10": the request's own types are gone after
    // validation), the others as the stored strings
    expect(r.json.data).toMatchObject({ id: a.id, crmId: 'keep-me', state: 2, maxCountChannels: 10, maxAttempt: '1' });
    expect(await rowsOf(t, a.id)).toHaveLength(1); // numbers ignored by PUT
    expect(t.dialer.changed.at(-1)).toEqual([Number(a.id)]);
    const again = await t.call('POST', '/task', { crmId: 'keep-me', innerNum: '1' });
    expect(again.json.data.id).toBe(a.id); // no duplicate task (the v1.35 bug)
  });

  it('PUT with crmId in the body looks up by crmId and ignores the URL id', async () => {
    const a = (await t.call('POST', '/task', { crmId: 'by-crm', innerNum: '1' })).json.data;
    const r = await t.call('PUT', '/task/999', { crmId: 'by-crm', state: 1 });
    expect(r.json.data).toMatchObject({ id: a.id, state: 1 });
  });

  it('PUT unknown → TaskNotFound', async () => {
    const r = await t.call('PUT', '/task/12345', { state: 1 });
    expect(r.json).toMatchObject({ result: false, data: { error: 'TaskNotFound' } });
    expect(r.json.messages[0]).toContain('12345');
  });

  it('DELETE removes the task and its rows, keeps polling answers, and is idempotent', async () => {
    const a = (await t.call('POST', '/task', { innerNum: '1', numbers: ['79001234567'] })).json.data;
    await t.db.run(`INSERT INTO polling_results (taskId, pollingId, questionCrmId, phoneId, phone, result, exten, changeTime) VALUES (?, 1, '1', 'x', 'x', '1', '1', 1)`, [Number(a.id)]);
    expect((await t.call('DELETE', `/task/${a.id}`)).json).toMatchObject({ result: true, data: [] });
    expect(await rowsOf(t, a.id)).toHaveLength(0);
    expect((await t.call('GET', `/task/${a.id}`)).json.result).toBe(false);
    expect(await t.db.get('SELECT COUNT(*) AS n FROM polling_results WHERE taskId = ?', [Number(a.id)])).toEqual({ n: 1 });
    expect(t.dialer.changed.at(-1)).toEqual([Number(a.id)]);
    expect((await t.call('DELETE', `/task/${a.id}`)).json.result).toBe(true);
  });
});

describe('POST /task-signal-close', () => {
  const t = testApi();

  it('closes the open rows of the phone and of the same client, not other numbers', async () => {
    const a = (
      await t.call('POST', '/task', {
        innerNum: '1',
        numbers: [{ number: '79001234567', clientId: 'c1' }, { number: '79001234568', clientId: 'c1' }, '79001234569', '79001234570'],
      })
    ).json.data;
    const b = (await t.call('POST', '/task', { innerNum: '1', numbers: ['89001234567', '79001234570'] })).json.data;
    const r = await t.call('POST', '/task-signal-close', { phone: '+7 900 123-45-67', taskId: a.id });
    expect(r.json).toMatchObject({ result: true, data: { closed: 2, taskIds: [a.id] } }); // ids as strings, like data.id
    expect((await rowsOf(t, a.id)).map((x) => x.result)).toEqual(['SUCCESS_EXTERNAL_SIGNAL', 'SUCCESS_EXTERNAL_SIGNAL', '', '']);
    expect((await rowsOf(t, b.id)).map((x) => x.result)).toEqual(['', '']); // other task untouched with taskId given
    expect(t.dialer.changed.at(-1)).toEqual([Number(a.id)]);

    // rows without clientId are not one "client": only the signalled number closes
    const noTask = await t.call('POST', '/task-signal-close', { phone: '79001234570' });
    expect(noTask.json.data).toEqual({ closed: 2, taskIds: [a.id, b.id] });
    expect((await rowsOf(t, a.id)).map((x) => x.result)).toEqual(['SUCCESS_EXTERNAL_SIGNAL', 'SUCCESS_EXTERNAL_SIGNAL', '', 'SUCCESS_EXTERNAL_SIGNAL']);
    const row = (await rowsOf(t, a.id))[0];
    expect(row.closeTime).toBeGreaterThan(0);
    expect(row.changeTime).toBe(row.closeTime);
  });

  it('blank strings in optional integer fields count as omitted, as PHP and 1C clients send them', async () => {
    const c = await t.call('POST', '/task', { innerNum: '1', maxCountChannels: '', maxAttempt: ' ', isCallback: '', numbers: ['79005550001'] });
    expect(c.json).toMatchObject({ result: true, data: { maxCountChannels: '1', maxAttempt: '1', isCallback: '0' } });
    const r = await t.call('POST', '/task-signal-close', { phone: '79005550001', taskId: '' });
    expect(r.json).toMatchObject({ result: true, data: { closed: 1, taskIds: [c.json.data.id] } });
  });

  it('empty phone → "error phone", nothing changes; already closed rows are not touched', async () => {
    expect((await t.call('POST', '/task-signal-close', { phone: '' })).json).toMatchObject({ result: false, messages: ['error phone'] });
    expect((await t.call('POST', '/task-signal-close', {})).json).toMatchObject({ result: false, messages: ['error phone'] });
    const a = (await t.call('GET', '/task?limit=1')).json.data.results[0].id;
    const r = await t.call('POST', '/task-signal-close', { phone: '79001234567', taskId: a });
    expect(r.json.data.closed).toBe(0);
    expect(r.json.messages).toEqual(['No open numbers matched phone 79001234567']);
  });
});

describe('GET /results/{changeTime}', () => {
  const t = testApi();
  const insert = async (ct: number) =>
    Number(await t.db.value("INSERT INTO task_results (taskId, phoneId, phone, changeTime) VALUES (1, 'p', 'p', ?) RETURNING id", [ct]));
  beforeAll(async () => {
    for (const ct of [100.5, 100.25, 200, 100.25, 300.75]) await insert(ct);
  });

  it('returns rows with changeTime >= t ordered by changeTime then id; fractional t works; bound inclusive', async () => {
    const r = await t.call('GET', '/results/100.25');
    expect(r.json.data.results.map((x: any) => [x.changeTime, x.id])).toEqual([
      ['100.25', '2'],
      ['100.25', '4'],
      ['100.5', '1'],
      ['200.0', '3'], // a whole value keeps its ".0": only a client's rounded bound has none
      ['300.75', '5'],
    ]);
    expect((await t.call('GET', '/results/300.75')).json.data.results).toHaveLength(1);
    expect((await t.call('GET', '/results/300.76')).json.data.results).toEqual([]);
  });

  it('takes a whole-number bound one second earlier: a client that rounded 300.75 up to 301 still gets that row', async () => {
    // 1C keeps the last changeTime in a field without fraction digits and asks /results/<that number>
    expect((await t.call('GET', '/results/301')).json.data.results.map((x: any) => x.changeTime)).toEqual(['300.75']);
    expect((await t.call('GET', '/results/302')).json.data.results).toEqual([]);
    expect((await t.call('GET', '/results/0')).json.data.results).toHaveLength(5);
  });

  it('shows the raw hangup cause, so a busy customer is told apart from one who did not answer', async () => {
    await t.db.run("UPDATE task_results SET result = 'FAIL', outDialState = 'BUSY', cause = 'User busy', hangupCause = 17 WHERE id = 3");
    const row = (await t.call('GET', '/results/200')).json.data.results[0];
    // hangupCause is our own field and keeps its native type
    expect(row).toMatchObject({ id: '3', result: 'FAIL', outDialState: 'BUSY', cause: 'User busy', hangupCause: 17 });
  });

  it('a CRM paging by the last changeTime it saw gets every row of a 25 000-number task', async () => {
    const numbers = Array.from({ length: 25_000 }, (_, i) => String(79100000000 + i));
    const id = (await t.call('POST', '/task', { crmId: 'paging', innerNum: '1', numbers })).json.data.id;
    const seen = new Set<string>();
    // the cursor is the changeTime string exactly as answered, put back into the URL
    let since = '0';
    for (let page = 0; page < 10; page++) {
      const rows = (await t.call('GET', `/results/${since}`)).json.data.results as { id: string; taskId: string; changeTime: string }[];
      for (const r of rows) if (r.taskId === id) seen.add(r.id);
      const last = rows.at(-1)!.changeTime;
      if (rows.length < 10_000) break;
      expect(Number(last)).toBeGreaterThan(Number(since)); // the cursor always moves
      since = last;
    }
    expect(seen.size).toBe(25_000);
  });

  it('time fields are strings that read back to exactly the stored value; a whole value keeps its .0, 0 is "0"', async () => {
    const tricky = [1724235073.123 + 7 / 1000, 1724235071.0536, Date.now() / 1000 + 999 / 1000, 0.1 + 0.2 + 1e9];
    const ids: number[] = [];
    for (const ct of tricky) ids.push(await insert(ct));
    for (const [i, id] of ids.entries()) {
      // the bound is the stored value itself, so that row comes first
      const row = (await t.call('GET', `/results/${tricky[i]}`)).json.data.results[0];
      expect(row.id).toBe(String(id));
      expect(typeof row.changeTime).toBe('string');
      expect(Number(row.changeTime)).toBe(tricky[i]); // paging by it never skips the rest of that instant
      expect(row.closeTime).toBe('0'); // 1C: Закрыта = closeTime <> "0"
      expect(row.timeCallAllow).toBe('0');
    }
    await t.db.run('UPDATE task_results SET closeTime = 1724235073, timeOffsetMinutes = -180 WHERE id = ?', [ids[0]]);
    const closed = (await t.call('GET', `/results/${tricky[0]}`)).json.data.results[0];
    expect(closed).toMatchObject({ closeTime: '1724235073.0', timeOffsetMinutes: '-180', attemptNumber: '1', countTry: null, hangupCause: null });
    await t.db.run('DELETE FROM task_results WHERE id IN (' + ids.join(',') + ')');
  });

  it('caps at 10 000 rows', async () => {
    await t.db.tx(async () => {
      for (let i = 0; i < 10_050; i++) await insert(1000 + i);
    });
    const r = await t.call('GET', '/results/1000');
    expect(r.json.data.results).toHaveLength(10_000);
    expect(r.json.data.results[0].changeTime).toBe('1000.0');
  });
});

describe('GET /task/{id} never serves a stale answer', () => {
  const t = testApi();
  it('sees writes made through the same connection and through another connection', async () => {
    const id = (await t.call('POST', '/task', { innerNum: '1', numbers: ['79001234567'] })).json.data.id;
    expect((await t.call('GET', `/task/${id}`)).json.data.results[0].state).toBe('CreateTask');
    await t.db.run("UPDATE task_results SET state = 'CreateCallFile' WHERE taskId = ?", [Number(id)]);
    expect((await t.call('GET', `/task/${id}`)).json.data.results[0].state).toBe('CreateCallFile');
    const other = await openDb(t.config.databaseUrl); // a connection of its own (on PostgreSQL: as another node)
    await other.run("UPDATE task_results SET state = 'startDial' WHERE taskId = ?", [Number(id)]);
    await other.close();
    expect((await t.call('GET', `/task/${id}`)).json.data.results[0].state).toBe('startDial');
  });
});
