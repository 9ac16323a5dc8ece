import { beforeAll, describe, expect, it } from 'vitest';
import { countTaskProgress } from '../../src/events/progress.js';
import type { NumberRow, NumbersPage } from '../../src/web/api-types.js';
import { LOCAL, readResponse, testApi } from './helpers.js';

/**
 * The cockpit's read-only data endpoints as a user of the page sees them: campaign counts (cached, see
 * src/events/task-counts.ts) always equal to counting the rows afresh, whatever closed when; numbers paged every
 * way with filters and phone search; one number's attempts with their answers; a survey's answers per question.
 * The service clock is the test's (`nowSec`), so rows can be closed "just now" and then become "long ago".
 */
let nowSec = Math.floor(Date.now() / 1000);
const api = testApi({}, { now: () => nowSec });
const get = async (path: string) => readResponse(await api.app.request(path, {}, LOCAL));

const N = 2600;
const phoneOf = (i: number) => `7900${String(i).padStart(7, '0')}`;

async function newTask(crmId: string, numbers: unknown[], extra: Record<string, unknown> = {}): Promise<number> {
  const r = await api.call('POST', '/task', { crmId, innerNum: '201', numbers, ...extra });
  expect(r.json.result).toBe(true);
  return Number(r.json.data.id);
}

/** What the counts must be: the task's rows counted one by one. */
async function countedAfresh(taskId: number) {
  const rows = await api.db.all<any>('SELECT result, closeTime, state, inCall, outDialState FROM task_results WHERE taskId = ?', [taskId]);
  const c = { rows: rows.length, waiting: 0, inCall: 0, done: 0, answered: 0, results: {} as Record<string, number> };
  for (const r of rows) {
    if (Number(r.closeTime) === 0 && r.state === 'CreateTask') c.waiting++;
    c.inCall += Number(r.inCall);
    if (Number(r.closeTime) !== 0 && r.result !== '') {
      c.done++;
      if (r.outDialState === 'ANSWER') c.answered++;
      c.results[r.result] = (c.results[r.result] ?? 0) + 1;
    }
  }
  return c;
}

/** The summary, task.progress and every filter's total agree with the rows counted afresh. */
async function expectCountsRight(taskId: number) {
  const want = await countedAfresh(taskId);
  const { rows, ...shown } = want;
  const one = await get(`/cockpit/api/campaigns/${taskId}`);
  expect(one.status).toBe(200);
  const { waiting, inCall, done, answered, results } = one.json;
  expect({ waiting, inCall, done, answered, results }).toEqual(shown);
  const listed = (await get('/cockpit/api/campaigns?limit=1000')).json.campaigns.find((c: any) => c.id === taskId);
  expect(listed).toEqual(one.json);
  expect(await countTaskProgress(api.db, taskId)).toEqual({ type: 'task.progress', taskId, ...shown });
  const total = async (q: string) => (await get(`/cockpit/api/campaigns/${taskId}/numbers?limit=1${q}`)).json.total;
  expect(await total('')).toBe(rows);
  expect(await total('&result=done')).toBe(want.done);
  expect(await total('&result=open')).toBe(rows - want.done);
  for (const [code, n] of Object.entries(want.results)) expect(await total(`&result=${code}`)).toBe(n);
}

const ids = (rows: NumberRow[]) => rows.map((r) => r.rowId);

/** Every page forward, then every page back from the last one: each row exactly once, in id order, both ways. */
async function walk(taskId: number, query: string, limit: number): Promise<{ rows: NumberRow[]; total: number | null }> {
  const url = (cursor: string) => `/cockpit/api/campaigns/${taskId}/numbers?limit=${limit}${query}${cursor}`;
  const forward: NumberRow[] = [];
  let page: NumbersPage = (await get(url(''))).json;
  expect(page.prevBefore).toBeNull();
  const total = page.total;
  const pages = [page];
  for (;;) {
    forward.push(...page.rows);
    if (page.nextAfter === null) break;
    expect(page.rows).toHaveLength(limit);
    page = (await get(url(`&after=${page.nextAfter}`))).json;
    pages.push(page);
  }
  const back: NumberRow[] = [...page.rows];
  while (page.prevBefore !== null) {
    page = (await get(url(`&before=${page.prevBefore}`))).json;
    expect(page.rows).toHaveLength(limit);
    back.unshift(...page.rows);
  }
  expect(ids(back)).toEqual(ids(forward));
  expect(new Set(ids(forward)).size).toBe(forward.length);
  expect(ids(forward)).toEqual([...ids(forward)].sort((a, b) => a - b));
  if (total !== null) expect(forward).toHaveLength(total);
  return { rows: forward, total };
}

const idsWhere = async (taskId: number, where: string, params: unknown[] = []) =>
  (await api.db.values<number>(`SELECT id FROM task_results WHERE taskId = ?${where} ORDER BY id`, [taskId, ...params])).map(Number);

const close = (id: number, result: string, at: number, outDialState = 'NOANSWER', linkedId: string | null = null) =>
  api.db.run('UPDATE task_results SET result = ?, state = ?, outDialState = ?, linkedId = ?, changeTime = ?, closeTime = ?, inCall = 0 WHERE id = ?', [
    result,
    'endCall',
    outDialState,
    linkedId,
    at,
    at,
    id,
  ]);
const retryRow = (taskId: number, i: number, attempt: number) =>
  api.db.run(
    `INSERT INTO task_results (taskId, phoneId, phone, clientId, params, attemptNumber, timeCallAllow, state, result, changeTime, closeTime)
     VALUES (?, ?, ?, '', '', ?, ?, 'CreateTask', '', ?, 0)`,
    [taskId, phoneOf(i).slice(-10), phoneOf(i), attempt, nowSec + 600, nowSec],
  );

/** A small deterministic random source, so a failure repeats. */
function prng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
}

describe('campaign counts (cached) stay equal to counting the rows afresh', () => {
  let taskId: number;
  let rowIds: number[];
  beforeAll(async () => {
    taskId = await newTask('counts', Array.from({ length: N }, (_, i) => phoneOf(i)));
    rowIds = await idsWhere(taskId, '');
  });

  it('rows closed long ago and just now, before and after the first count; more closing, in call and retried later', async () => {
    const results = ['FAIL_USER_NO_ANSWER', 'SUCCESS_POLLING', 'FAIL_USER_BUSY', 'SUCCESS'];
    for (let k = 0; k < 300; k++) await close(rowIds[k]!, results[k % 4]!, nowSec - 3600 - k, k % 4 === 1 ? 'ANSWER' : 'NOANSWER');
    for (let k = 300; k < 350; k++) await close(rowIds[k]!, 'FAIL', nowSec - 1);
    await expectCountsRight(taskId); // the first count: folds the old closes, reads the recent ones

    const rnd = prng(7);
    let next = 350;
    for (let round = 0; round < 8; round++) {
      // closes stamped up to 30 s ago (a node committing a little late), some answered
      for (let k = 0; k < 40; k++, next++) await close(rowIds[next]!, results[Math.floor(rnd() * 4)]!, nowSec - rnd() * 30, rnd() < 0.3 ? 'ANSWER' : 'BUSY');
      // calls up now, one of them already closed (a survey handed to an agent)
      for (let k = 0; k < 3; k++) await api.db.run("UPDATE task_results SET state = 'CreateCallFile', inCall = 1 WHERE id = ?", [rowIds[next + k]!]);
      await api.db.run('UPDATE task_results SET inCall = 1 WHERE id = ?', [rowIds[next - 1]!]);
      await retryRow(taskId, next - 2, 2);
      await expectCountsRight(taskId);
      nowSec += Math.floor(rnd() * 100); // sometimes past the settling lag, sometimes not
      await expectCountsRight(taskId);
      await api.db.run("UPDATE task_results SET inCall = 0, state = 'CreateTask' WHERE taskId = ? AND closeTime = 0 AND inCall = 1", [taskId]);
      next += 3;
    }
    nowSec += 7200;
    await expectCountsRight(taskId);
  });

  it('numbers removed by a re-POST (closed ones too) and a deleted task are noticed', async () => {
    nowSec += 5;
    const kept = Array.from({ length: N }, (_, i) => phoneOf(i)).filter((_, i) => i % 10 !== 3);
    expect((await api.call('POST', '/task', { crmId: 'counts', innerNum: '201', numbers: kept })).json.result).toBe(true);
    expect(await idsWhere(taskId, ' AND phone = ?', [phoneOf(3)])).toEqual([]);
    await expectCountsRight(taskId);
    await close((await idsWhere(taskId, " AND result = ''"))[0]!, 'FAIL', nowSec);
    await expectCountsRight(taskId);

    expect((await api.call('DELETE', `/task/${taskId}`)).json.result).toBe(true);
    expect((await get(`/cockpit/api/campaigns/${taskId}`)).status).toBe(404);
    expect(await countTaskProgress(api.db, taskId)).toEqual({ type: 'task.progress', taskId, waiting: 0, inCall: 0, done: 0, answered: 0, results: {} });
  });
});

describe('GET /cockpit/api/campaigns/:id/numbers', () => {
  let taskId: number;
  beforeAll(async () => {
    taskId = await newTask('numbers', Array.from({ length: N }, (_, i) => (i % 20 === 0 ? { number: phoneOf(i), clientId: `c${i}` } : phoneOf(i))));
    const all = await idsWhere(taskId, '');
    // closed: every 3rd row FAIL, every 7th SUCCESS (long ago or just now); a few retries appended
    for (let k = 0; k < all.length; k++) {
      if (k % 3 === 0) await close(all[k]!, 'FAIL', nowSec - (k % 2 ? 5 : 5000));
      else if (k % 7 === 0) await close(all[k]!, 'SUCCESS', nowSec - 10, 'ANSWER');
    }
    for (const i of [4, 5, 2599]) await retryRow(taskId, i, 2);
  });

  it('pages forward and back cover every row exactly once, with every filter; totals exact', async () => {
    expect(ids((await walk(taskId, '', 97)).rows)).toEqual(await idsWhere(taskId, ''));
    expect(ids((await walk(taskId, '&result=FAIL', 50)).rows)).toEqual(await idsWhere(taskId, " AND result = 'FAIL'"));
    expect(ids((await walk(taskId, '&result=SUCCESS', 50)).rows)).toEqual(await idsWhere(taskId, " AND result = 'SUCCESS'"));
    expect(ids((await walk(taskId, '&result=done', 111)).rows)).toEqual(await idsWhere(taskId, " AND result <> ''"));
    expect(ids((await walk(taskId, '&result=open', 500)).rows)).toEqual(await idsWhere(taskId, " AND result = ''"));
    expect(await walk(taskId, '&result=NO_SUCH_RESULT', 10)).toEqual({ rows: [], total: 0 });
    // the first page as the page shows it
    const first = (await get(`/cockpit/api/campaigns/${taskId}/numbers`)).json as NumbersPage;
    expect(first.rows).toHaveLength(50);
    expect(first.rows[0]).toEqual({
      rowId: expect.any(Number),
      phone: phoneOf(0),
      clientId: 'c0',
      result: 'FAIL',
      state: 'endCall',
      outDialState: 'NOANSWER',
      inDialState: null,
      cause: null,
      attemptNumber: 1,
      changeTime: nowSec - 5000,
      closeTime: nowSec - 5000,
      timeCallAllow: 0,
      inCall: false,
    });
  });

  it('phone search: a whole number, digits inside numbers, digits every number has (paged by scanning)', async () => {
    const whole = await walk(taskId, `&phone=${phoneOf(5)}`, 10);
    expect(whole.rows.map((r) => [r.phone, r.attemptNumber])).toEqual([
      [phoneOf(5), 1],
      [phoneOf(5), 2],
    ]);
    expect(whole.total).toBe(2);
    // typed with formatting
    expect((await get(`/cockpit/api/campaigns/${taskId}/numbers?phone=${encodeURIComponent('+7 (900) 000-00-05')}`)).json.total).toBe(2);
    const inside = await walk(taskId, '&phone=25', 7);
    expect(ids(inside.rows)).toEqual(await idsWhere(taskId, ' AND phone LIKE ?', ['%25%']));
    expect(inside.total).toBe(inside.rows.length);
    const insideFailed = await walk(taskId, '&phone=25&result=FAIL', 7);
    expect(ids(insideFailed.rows)).toEqual(await idsWhere(taskId, " AND phone LIKE ? AND result = 'FAIL'", ['%25%']));
    // more matches than are kept: pages read by scanning from the cursor, no total
    const common = await walk(taskId, '&phone=7900', 400);
    expect(common.total).toBeNull();
    expect(ids(common.rows)).toEqual(await idsWhere(taskId, ''));
    expect(ids((await walk(taskId, '&phone=7900&result=open', 300)).rows)).toEqual(await idsWhere(taskId, " AND result = ''"));
    // a row added later is found by the same search (the kept matches are topped up)
    await retryRow(taskId, 5, 3);
    expect((await walk(taskId, `&phone=${phoneOf(5)}`, 10)).rows.map((r) => r.attemptNumber)).toEqual([1, 2, 3]);
    expect((await get(`/cockpit/api/campaigns/${taskId}/numbers?phone=99999`)).json).toEqual({ rows: [], nextAfter: null, prevBefore: null, total: 0 });
  });

  it('a cursor beyond the ends gives an empty page that links back', async () => {
    const last = (await idsWhere(taskId, '')).at(-1)!;
    const beyond = (await get(`/cockpit/api/campaigns/${taskId}/numbers?after=${last}`)).json as NumbersPage;
    expect(beyond).toMatchObject({ rows: [], nextAfter: null, prevBefore: last + 1 });
    const back = (await get(`/cockpit/api/campaigns/${taskId}/numbers?limit=3&before=${beyond.prevBefore}`)).json as NumbersPage;
    expect(ids(back.rows)).toEqual((await idsWhere(taskId, '')).slice(-3));
    expect(back.nextAfter).toBeNull();
  });
});

describe('a campaign bigger than one read (CHUNK_ROWS rows a statement)', () => {
  const BIG = 21_000;
  let taskId: number;
  beforeAll(async () => {
    taskId = await newTask('big', Array.from({ length: BIG }, (_, i) => phoneOf(i)));
  });

  it('counts, pages and searches read chunk after chunk, the same as counting afresh', async () => {
    await expectCountsRight(taskId); // the first fold: three chunks
    // 20 000 closed "just now", most at one same instant: once they settle, more than one statement folds them
    const all = await idsWhere(taskId, '');
    await api.db.run(
      `UPDATE task_results SET result = CASE id % 3 WHEN 0 THEN 'FAIL' WHEN 1 THEN 'SUCCESS' ELSE 'FAIL_USER_BUSY' END,
         outDialState = CASE id % 3 WHEN 1 THEN 'ANSWER' ELSE 'NOANSWER' END, state = 'endCall',
         closeTime = CASE WHEN id % 7 = 0 THEN CAST(? AS DOUBLE PRECISION) ELSE CAST(? AS DOUBLE PRECISION) END, changeTime = ?
       WHERE taskId = ? AND id <= ?`,
      [nowSec - 30, nowSec - 20, nowSec, taskId, all[19_999]],
    );
    await expectCountsRight(taskId);
    nowSec += 120;
    await close(all.at(-1)!, 'FAIL', nowSec); // a newer close: the rows' clock moves on and the 20 000 settle
    await expectCountsRight(taskId);
    expect(ids((await walk(taskId, '', 500)).rows)).toEqual(await idsWhere(taskId, ''));
    const common = await walk(taskId, '&phone=7900&result=open', 500);
    expect(ids(common.rows)).toEqual(await idsWhere(taskId, " AND result = ''"));
    expect(common.total).toBeNull();
    const rare = await walk(taskId, `&phone=${phoneOf(BIG - 3)}`, 5);
    expect(rare).toMatchObject({ total: 1, rows: [{ phone: phoneOf(BIG - 3) }] });
  }, 120_000);
});

describe('attempts of a number and the survey answers', () => {
  let taskId: number;
  let pollingId: string;
  const answer = (q: string, result: string, i: number, linkedId: string | null, at: number) =>
    api.db.run(
      `INSERT INTO polling_results (taskId, pollingId, questionCrmId, phoneId, phone, result, exten, linkedId, changeTime)
       VALUES (?, ?, ?, ?, ?, ?, '', ?, ?)`,
      [taskId, Number(pollingId), q, phoneOf(i).slice(-10), phoneOf(i), result, linkedId, at],
    );
  beforeAll(async () => {
    const polling = await api.call('POST', '/polling', {
      crmId: 'survey',
      questions: [
        { questionId: 'q1', questionText: ' Do you like it? ', press: [{ key: '1', action: 'answer' }] },
        { questionId: 'q2', questionText: 'Score', press: [{ key: '5', action: 'answer' }] },
      ],
    });
    pollingId = String(polling.json.data.id);
    taskId = await newTask('survey-task', [phoneOf(1), phoneOf(2), phoneOf(3)], { innerNumType: 'polling', innerNum: pollingId });
  });

  it('every attempt of one number, oldest first, each with the answers of its call', async () => {
    const [row1] = await idsWhere(taskId, ' AND phone = ?', [phoneOf(1)]);
    await close(row1!, 'FAIL_USER_BUSY', nowSec - 100, 'BUSY', 'ch-1a');
    await retryRow(taskId, 1, 2);
    const [, row2] = await idsWhere(taskId, ' AND phone = ?', [phoneOf(1)]);
    await close(row2!, 'SUCCESS_POLLING', nowSec - 5, 'ANSWER', 'ch-1b');
    await answer('q1', '1', 1, 'ch-1b', nowSec - 30);
    await answer('q2', '5', 1, 'ch-1b', nowSec - 20);
    await answer('q1', '2', 2, 'ch-2', nowSec - 20);

    const r = await get(`/cockpit/api/campaigns/${taskId}/attempts?phone=${phoneOf(1)}`);
    expect(r.status).toBe(200);
    expect(r.json.phone).toBe(phoneOf(1));
    expect(r.json.attempts.map((a: any) => [a.rowId, a.attemptNumber, a.result, a.answers.map((x: any) => [x.questionCrmId, x.result])])).toEqual([
      [row1, 1, 'FAIL_USER_BUSY', []],
      [row2, 2, 'SUCCESS_POLLING', [['q1', '1'], ['q2', '5']]],
    ]);
    expect(r.json.attempts[1].answers[0]).toEqual({ questionCrmId: 'q1', result: '1', exten: '', recognizedText: null, changeTime: nowSec - 30 });
    // the same subscriber typed as a person would, or with 8 for 7
    const typed = await get(`/cockpit/api/campaigns/${taskId}/attempts?phone=${encodeURIComponent('+7 900 000-00-01')}`);
    expect(typed.json).toEqual(r.json);
    expect((await get(`/cockpit/api/campaigns/${taskId}/attempts?phone=8${phoneOf(1).slice(1)}`)).json).toEqual(r.json);
    expect((await get(`/cockpit/api/campaigns/${taskId}/attempts?phone=79990000000`)).json).toEqual({ phone: '79990000000', attempts: [] });
  });

  it('answers per question and key, the polling question texts, and answers added later', async () => {
    const answers = async () => (await get(`/cockpit/api/campaigns/${taskId}/answers`)).json;
    for (let k = 0; k < 30; k++) await answer('q1', k % 3 ? '1' : '2', 3, `old-${k}`, nowSec - 4000);
    expect(await answers()).toEqual({
      pollingCrmId: 'survey',
      questions: [
        { questionCrmId: 'q1', text: 'Do you like it?', counts: { '1': 21, '2': 11 } },
        { questionCrmId: 'q2', text: 'Score', counts: { '5': 1 } },
      ],
    });
    await answer('q2', '4', 3, 'new', nowSec);
    await answer('gone', '9', 3, 'new', nowSec); // a question no longer in the polling
    nowSec += 120;
    await answer('q2', '5', 3, 'newer', nowSec);
    expect(await answers()).toEqual({
      pollingCrmId: 'survey',
      questions: [
        { questionCrmId: 'q1', text: 'Do you like it?', counts: { '1': 21, '2': 11 } },
        { questionCrmId: 'q2', text: 'Score', counts: { '5': 2, '4': 1 } },
        { questionCrmId: 'gone', text: '', counts: { '9': 1 } },
      ],
    });
    // a task that is no survey
    const plain = await newTask('no-survey', [phoneOf(9)]);
    expect((await get(`/cockpit/api/campaigns/${plain}/answers`)).json).toEqual({ pollingCrmId: null, questions: [] });
  });
});

describe('bad requests', () => {
  let taskId: number;
  beforeAll(async () => {
    taskId = await newTask('bad', [phoneOf(1)]);
  });

  it('400 naming the parameter at fault', async () => {
    const cases: Array<[string, string]> = [
      ['/cockpit/api/campaigns?limit=0', 'limit'],
      ['/cockpit/api/campaigns?limit=1001', 'limit'],
      ['/cockpit/api/campaigns/abc', 'id'],
      ['/cockpit/api/campaigns/abc/numbers', 'id'],
      ['/cockpit/api/campaigns/0/answers', 'id'],
      [`/cockpit/api/campaigns/${taskId}/numbers?limit=501`, 'limit'],
      [`/cockpit/api/campaigns/${taskId}/numbers?limit=x`, 'limit'],
      [`/cockpit/api/campaigns/${taskId}/numbers?after=-1`, 'after'],
      [`/cockpit/api/campaigns/${taskId}/numbers?before=1.5`, 'before'],
      [`/cockpit/api/campaigns/${taskId}/numbers?after=1&before=9`, 'before'],
      [`/cockpit/api/campaigns/${taskId}/numbers?phone=12a`, 'phone'],
      [`/cockpit/api/campaigns/${taskId}/numbers?result=${encodeURIComponent('FAIL; DROP')}`, 'result'],
      [`/cockpit/api/campaigns/${taskId}/attempts`, 'phone'],
      [`/cockpit/api/campaigns/${taskId}/attempts?phone=abc`, 'phone'],
    ];
    for (const [path, field] of cases) {
      const r = await get(path);
      expect([path, r.status, r.json.field]).toEqual([path, 400, field]);
      expect(r.json.error).toMatch(new RegExp(`^${field}: `));
    }
  });

  it('404 for a campaign that does not exist', async () => {
    for (const tail of ['', '/numbers', '/attempts?phone=79000000001', '/answers']) {
      const r = await get(`/cockpit/api/campaigns/999999999${tail}`);
      expect([tail, r.status, r.json]).toEqual([tail, 404, { error: 'campaign 999999999 not found' }]);
    }
  });
});
