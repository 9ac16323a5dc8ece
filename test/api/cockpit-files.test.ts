import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as XLSX from '@e965/xlsx';
import type { Hono } from 'hono';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import type { SpeechPreview } from '../../src/api/deps.js';
import { LOCAL, readResponse, testApi } from './helpers.js';

/**
 * The cockpit's file endpoints: numbers imported from CSV / XLSX into a campaign (stored as POST /task stores
 * them), results exported as CSV / XLSX (parsed back here), and the TTS preview.
 */
const api = testApi();
const { call } = api;

const send = async (method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}, app: Hono = api.app) =>
  readResponse(await app.request(path, { method, body, headers }, LOCAL));
const importCsv = (taskId: number | string, text: string | Uint8Array) =>
  send('POST', `/cockpit/api/campaigns/${taskId}/import`, text as BodyInit, { 'content-type': 'text/csv' });
const importFile = (taskId: number, name: string, bytes: Uint8Array | string, type = 'application/octet-stream') => {
  const form = new FormData();
  form.append('file', new Blob([bytes as BlobPart], { type }), name);
  return send('POST', `/cockpit/api/campaigns/${taskId}/import`, form);
};

async function newTask(crmId: string, numbers: unknown[] = [], extra: Record<string, unknown> = {}): Promise<number> {
  const r = await call('POST', '/task', { crmId, innerNum: '201', numbers, ...extra });
  expect(r.json.result).toBe(true);
  return Number(r.json.data.id);
}

/** The task's number rows as GET /task/{id} answers them, without what differs between two tasks. */
async function rowsOf(taskId: number) {
  const r = await call('GET', `/task/${taskId}`);
  return (r.json.data.results as Array<Record<string, unknown>>).map(({ id: _id, taskId: _t, changeTime: _c, ...rest }) => rest);
}
const phonesOf = async (taskId: number) => (await rowsOf(taskId)).map((r) => r.phone);

describe('POST /cockpit/api/campaigns/:id/import', () => {
  it('CSV with a header and ";": numbers stored exactly as POST /task stores them; duplicates counted, not added', async () => {
    const taskId = await newTask('imp-header', ['79001110001']);
    const csv = 'Phone;clientId;name;city\n79001110001;c0;Old;X\n+7 (900) 111-00-02;c2;Иван;Москва\n89001110003;c3;"Петров; Пётр";"Санкт-Петербург"\n79001110002;c2b;dup;Y\n';
    const r = await importCsv(taskId, csv);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ added: 2, duplicates: 2, errors: [] });

    // the same numbers POSTed to another task give the same rows
    const twin = await newTask('imp-header-twin', [
      '79001110001',
      { number: '+7 (900) 111-00-02', clientId: 'c2', params: { name: 'Иван', city: 'Москва' } },
      { number: '89001110003', clientId: 'c3', params: { name: 'Петров; Пётр', city: 'Санкт-Петербург' } },
    ]);
    const imported = await rowsOf(taskId);
    expect(imported).toEqual(await rowsOf(twin));
    expect(imported.map((r) => [r.phone, r.clientId, r.params, r.state, r.closeTime])).toEqual([
      ['79001110001', '', '', 'CreateTask', '0'], // already there: left as it was
      ['79001110002', 'c2', '{"name":"Иван","city":"Москва"}', 'CreateTask', '0'],
      ['89001110003', 'c3', '{"name":"Петров; Пётр","city":"Санкт-Петербург"}', 'CreateTask', '0'],
    ]);
    // importing the same file again adds nothing
    expect((await importCsv(taskId, csv)).json).toEqual({ added: 0, duplicates: 4, errors: [] });
  });

  it('headerless (phone in the first column), BOM, CRLF, quoted cells with commas, quotes and line breaks', async () => {
    const taskId = await newTask('imp-plain');
    expect((await importCsv(taskId, '79001110010\n79001110011,whatever,else\n\n')).json).toEqual({ added: 2, duplicates: 0, errors: [] });
    const bom = '\uFEFFNUMBER,ClientId,comment\r\n"79001110020","x1","a, ""quoted""\r\ntext"\r\n 79001110021 ,x2,plain\r\n';
    expect((await importCsv(taskId, bom)).json).toEqual({ added: 2, duplicates: 0, errors: [] });
    const rows = await rowsOf(taskId);
    expect(rows.map((r) => [r.phone, r.clientId, r.params])).toEqual([
      ['79001110010', '', ''],
      ['79001110011', '', ''],
      ['79001110020', 'x1', JSON.stringify({ comment: 'a, "quoted"\r\ntext' })],
      ['79001110021', 'x2', '{"comment":"plain"}'],
    ]);
  });

  it('a Windows-1251 CSV (Russian Excel\'s plain "CSV") is read as such', async () => {
    const taskId = await newTask('imp-1251');
    // "phone;name\n79001110030;Иван\n" in windows-1251
    const bytes = Buffer.concat([Buffer.from('phone;name\n79001110030;'), Buffer.from([0xc8, 0xe2, 0xe0, 0xed]), Buffer.from('\n')]);
    expect((await importCsv(taskId, new Uint8Array(bytes))).json).toEqual({ added: 1, duplicates: 0, errors: [] });
    expect((await rowsOf(taskId))[0]!.params).toBe('{"name":"Иван"}');
  });

  it('a bad row: 400 naming the lines (first 20), nothing imported', async () => {
    const taskId = await newTask('imp-bad', ['79001110040']);
    const r = await importCsv(taskId, 'phone,name\n79001110041,ok\nabc,bad\n\n,no phone\n79001110042,ok\n');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ field: 'file', added: 0, duplicates: 0, error: 'Nothing imported: 2 of 4 rows are not valid numbers' });
    expect(r.json.errors).toEqual([
      'Line 3: Number "abc" may contain only digits, spaces, dashes, parentheses and a leading +',
      'Line 5: no phone number',
    ]);
    expect(await phonesOf(taskId)).toEqual(['79001110040']);

    const many = ['phone', ...Array.from({ length: 30 }, (_, i) => `x${i}`)].join('\n');
    const m = await importCsv(taskId, many);
    expect(m.json.errors).toHaveLength(21);
    expect(m.json.errors.at(-1)).toBe('... and 10 more bad rows');

    const header = await importCsv(taskId, 'tel;name\n79001110043;x\n');
    expect(header.status).toBe(400);
    expect(header.json.errors).toEqual(['Line 1: the header names no "phone" or "number" column (and "tel" is not a phone number)']);
    // a quote never closed would read the rest of the file into one cell: cut off, named by the line it opened on
    const unclosed = await importCsv(taskId, `phone\n"79001110044\n${'79001234567\n'.repeat(10_000)}`);
    expect(unclosed.status).toBe(400);
    expect(unclosed.json.errors).toEqual(['Line 2: the row is longer than 100000 characters (a quote that is never closed?)']);
    expect((await importCsv(taskId, '\n\n')).json).toMatchObject({ field: 'file', error: 'Nothing imported: the file has no numbers' });
    expect((await importCsv(taskId, '')).status).toBe(400);
    const json = await send('POST', `/cockpit/api/campaigns/${taskId}/import`, '{}', { 'content-type': 'application/json' });
    expect(json.status).toBe(415);
    expect(json.json.field).toBe('file');
    expect(await phonesOf(taskId)).toEqual(['79001110040']);
  });

  it('unknown task 404, bad id 400; a closed task takes the numbers and stays closed (as POST /task without state)', async () => {
    expect((await importCsv(999_999_999, '79001110050\n')).status).toBe(404);
    const bad = await importCsv('abc', '79001110050\n');
    expect(bad.status).toBe(400);
    expect(bad.json.field).toBe('id');

    const taskId = await newTask('imp-closed', ['79001110051'], { state: 1 });
    expect((await importCsv(taskId, '79001110052\n')).json).toEqual({ added: 1, duplicates: 0, errors: [] });
    const task = (await call('GET', `/task/${taskId}`)).json.data;
    expect(task.state).toBe('1');
    expect(task.results.map((r: { phone: string }) => r.phone)).toEqual(['79001110051', '79001110052']);
  });

  it('multipart: a .csv file, and an .xlsx made by SheetJS (multipart or the body itself)', async () => {
    const taskId = await newTask('imp-files');
    const csv = await importFile(taskId, 'list.csv', 'phone,clientId\n79001110060,k0\n', 'text/csv');
    expect(csv.json).toEqual({ added: 1, duplicates: 0, errors: [] });

    const ws = XLSX.utils.aoa_to_sheet([
      ['phone', 'clientId', 'city'],
      [79001110061, 'k1', 'Москва'],
      ['+7 900 111-00-62', 'k2', 'Казань'],
      [79001110060, 'k3', 'dup'],
    ]);
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, ws, 'list');
    const xlsx = new Uint8Array(XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
    const r = await importFile(taskId, 'list.xlsx', xlsx);
    expect(r.json).toEqual({ added: 2, duplicates: 1, errors: [] });
    expect((await rowsOf(taskId)).map((row) => [row.phone, row.clientId, row.params])).toEqual([
      ['79001110060', 'k0', ''],
      ['79001110061', 'k1', '{"city":"Москва"}'],
      ['79001110062', 'k2', '{"city":"Казань"}'],
    ]);

    const raw = await send('POST', `/cockpit/api/campaigns/${taskId}/import`, xlsx, {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    });
    expect(raw.json).toEqual({ added: 0, duplicates: 3, errors: [] });

    const badWs = XLSX.utils.aoa_to_sheet([['phone'], ['79001110063'], ['not a phone']]);
    const badWb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(badWb, badWs, 'list');
    const bad = await importFile(taskId, 'bad.xlsx', new Uint8Array(XLSX.write(badWb, { type: 'buffer', bookType: 'xlsx' }) as Buffer));
    expect(bad.status).toBe(400);
    expect(bad.json.errors).toEqual(['Row 3: Number "not a phone" may contain only digits, spaces, dashes, parentheses and a leading +']);
    expect(await phonesOf(taskId)).toHaveLength(3);
  });

  it('the dialer is told of imported numbers, as after POST /task (an idle task dials them at once)', async () => {
    const taskId = await newTask('imp-kick');
    api.dialer.changed.length = 0;
    await importCsv(taskId, '79001110070\n');
    expect(api.dialer.changed).toEqual([[taskId]]);
    await importCsv(taskId, '79001110070\n'); // nothing added: nothing to tell
    expect(api.dialer.changed).toEqual([[taskId]]);
  });

  it('100 000 rows in one CSV', async () => {
    const taskId = await newTask('imp-big', ['79500000000']);
    const lines = ['phone;clientId;name'];
    for (let i = 0; i < 100_000; i++) lines.push(`7950${String(i).padStart(7, '0')};c${i};Имя ${i}`);
    const r = await importCsv(taskId, `${lines.join('\n')}\n`);
    expect(r.json).toEqual({ added: 99_999, duplicates: 1, errors: [] });
    expect(Number(await api.db.value('SELECT COUNT(*) FROM task_results WHERE taskId = ?', [taskId]))).toBe(100_000);
    // rows written with one changeTime stay under GET /results' 10 000-row page
    const most = await api.db.value('SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM task_results WHERE taskId = ? GROUP BY changeTime) AS t', [taskId]);
    expect(Number(most)).toBeLessThanOrEqual(1000);

    const exported = await send('GET', `/cockpit/api/campaigns/${taskId}/export?format=csv`);
    const csvLines = exported.text.trimEnd().split('\r\n');
    expect(csvLines).toHaveLength(100_001);
    expect(csvLines[100_000]!.startsWith('79500099999,c99999,')).toBe(true);
  }, 120_000);
});

const csvOf = (n: number) => ['phone', ...Array.from({ length: n }, (_, i) => `7970${String(i).padStart(7, '0')}`)].join('\n');
/** An import into a new task of `t`'s app. */
async function uploadTo(t: ReturnType<typeof testApi>, body: BodyInit, headers: Record<string, string> = { 'content-type': 'text/csv' }) {
  const task = await t.call('POST', '/task', { crmId: `size-${Math.random()}`, innerNum: '201' });
  return readResponse(await t.app.request(`/cockpit/api/campaigns/${task.json.data.id}/import`, { method: 'POST', body, headers }, LOCAL));
}

describe('import over the upload limit', () => {
  const small = testApi({ DIALER_MAX_UPLOAD_BYTES: '8192' });

  it('413 naming the file, counted as the body streams (raw or multipart), nothing imported', async () => {
    const r = await uploadTo(small, csvOf(1000)); // 12 KB
    expect(r.status).toBe(413);
    expect(r.json).toEqual({ error: 'Request body is larger than the limit of 8192 bytes', field: 'file' });
    const form = new FormData();
    form.append('file', new Blob([csvOf(1000)]), 'list.csv');
    const m = await uploadTo(small, form, {});
    expect(m.status).toBe(413);
    expect(m.json.field).toBe('file');
    expect(Number(await small.db.value('SELECT COUNT(*) FROM task_results'))).toBe(0);
  });
});

describe('import over the JSON body limit', () => {
  const small = testApi({ DIALER_MAX_BODY_BYTES: '1024', DIALER_MAX_UPLOAD_BYTES: '8192' });
  // src/api/app.ts must let the import past its JSON body cap (isCockpitUpload), as it does POST /audio

  it('a file under the upload limit is imported', async () => {
    const r = await uploadTo(small, csvOf(500)); // 6 KB
    expect(r.json).toEqual({ added: 500, duplicates: 0, errors: [] });
  });
});

describe('GET /cockpit/api/campaigns/:id/export', () => {
  let taskId: number;
  const t0 = 1_760_000_000;

  beforeAll(async () => {
    const polling = await call('POST', '/polling', {
      crmId: 'export-survey',
      name: 'Export',
      questions: [
        { questionId: 'q1', questionText: 'Вам понравилось?', press: [{ key: '1', action: 'answer' }] },
        { questionId: 'q2', questionText: 'Оценка', press: [{ key: '5', action: 'answer' }] },
      ],
    });
    expect(polling.json.result).toBe(true);
    taskId = await newTask('export-1', ['79002220001', { number: '79002220002', clientId: 'Клиент, "2"' }, '79002220003'], {
      innerNumType: 'polling',
      innerNum: String(polling.json.data.id),
    });
    const rows = await api.db.all<{ id: number; phone: string }>('SELECT id, phone FROM task_results WHERE taskId = ? ORDER BY id', [taskId]);
    // 1: answered the survey; 2: busy, then a second attempt still open; 3: open
    await api.db.run(
      "UPDATE task_results SET result = 'SUCCESS_POLLING', outDialState = 'ANSWER', state = 'EVENT_POLLING_END', linkedId = 'ch-1', changeTime = ?, closeTime = ? WHERE id = ?",
      [t0 + 60.5, t0 + 60.5, rows[0]!.id],
    );
    await api.db.run(
      "UPDATE task_results SET result = 'FAIL_USER_BUSY', outDialState = 'BUSY', state = 'endCall', cause = 'User busy', linkedId = 'ch-2', changeTime = ?, closeTime = ? WHERE id = ?",
      [t0 + 10, t0 + 10, rows[1]!.id],
    );
    await api.db.run(
      `INSERT INTO task_results (taskId, phoneId, phone, clientId, params, changeTime, closeTime, state, attemptNumber)
       VALUES (?, '9002220002', '79002220002', 'Клиент, "2"', '', ?, 0, 'CreateTask', 2)`,
      [taskId, t0 + 20],
    );
    const answer = (q: string, result: string, linkedId: string | null, at: number, recognized: string | null = null) =>
      api.db.run(
        `INSERT INTO polling_results (taskId, pollingId, questionCrmId, phoneId, phone, result, exten, linkedId, recognizedText, changeTime)
         VALUES (?, ?, ?, '9002220001', '79002220001', ?, '', ?, ?, ?)`,
        [taskId, Number(polling.json.data.id), q, result, linkedId, recognized, at],
      );
    await answer('q1', '2', 'ch-1', t0 + 30);
    await answer('q1', '1', 'ch-1', t0 + 40); // pressed again: the last one counts
    await answer('q2', '-', 'ch-1', t0 + 50, 'пять');
    await answer('q-old', '9', 'ch-1', t0 + 55); // a question the polling no longer has
    await answer('q1', '3', 'ch-other', t0 + 56); // another call of the same phone: not this attempt's
  });

  const HEADER = ['phone', 'clientId', 'result', 'outDialState', 'inDialState', 'state', 'cause', 'attemptNumber', 'changeTime', 'closeTime', 'q1', 'q2', 'q-old'];
  const iso = (s: number) => new Date(s * 1000).toISOString();

  it('CSV: BOM, attachment, the /results columns, one column per question with the last answer of the attempt', async () => {
    const res = await api.app.request(`/cockpit/api/campaigns/${taskId}/export?format=csv`, {}, LOCAL);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="task-${taskId}-results.csv"`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // the BOM
    const text = bytes.subarray(3).toString('utf8');
    const rows = XLSX.utils.sheet_to_json<string[]>(XLSX.read(text, { type: 'string', raw: true }).Sheets.Sheet1!, { header: 1, raw: false, defval: '' });
    expect(rows[0]).toEqual(HEADER);
    expect(rows.slice(1)).toEqual([
      ['79002220001', '', 'SUCCESS_POLLING', 'ANSWER', '', 'EVENT_POLLING_END', '', '1', iso(t0 + 60.5), iso(t0 + 60.5), '1', 'пять', '9'],
      ['79002220002', 'Клиент, "2"', 'FAIL_USER_BUSY', 'BUSY', '', 'endCall', 'User busy', '1', iso(t0 + 10), iso(t0 + 10), '', '', ''],
      ['79002220003', '', '', '', '', 'CreateTask', '', '1', expect.stringMatching(/^\d{4}-\d\d-\d\dT/), '', '', '', ''],
      ['79002220002', 'Клиент, "2"', '', '', '', 'CreateTask', '', '2', iso(t0 + 20), '', '', '', ''],
    ]);
    // the quoting as written
    expect(text).toContain('79002220002,"Клиент, ""2""",FAIL_USER_BUSY,BUSY,,endCall,User busy,1,');
  });

  it('CSV: a text that Excel would run as a formula stays text (a leading \')', async () => {
    const id = await newTask('export-formula', [{ number: '79002230001', clientId: '=HYPERLINK("http://x","y")' }, { number: '79002230002', clientId: '@SUM(1)' }]);
    const text = (await send('GET', `/cockpit/api/campaigns/${id}/export?format=csv`)).text;
    expect(text).toContain(`79002230001,"'=HYPERLINK(""http://x"",""y"")",`);
    expect(text).toContain("79002230002,'@SUM(1),");
  });

  it('result filter: a code, open, done; bad format or result → 400 naming it; unknown task 404', async () => {
    const lines = async (q: string) => (await send('GET', `/cockpit/api/campaigns/${taskId}/export?format=csv&${q}`)).text.trimEnd().split('\r\n').slice(1).map((l) => l.split(',')[0]);
    expect(await lines('result=SUCCESS_POLLING')).toEqual(['79002220001']);
    expect(await lines('result=done')).toEqual(['79002220001', '79002220002']);
    expect(await lines('result=open')).toEqual(['79002220003', '79002220002']);
    const badFormat = await send('GET', `/cockpit/api/campaigns/${taskId}/export?format=pdf`);
    expect(badFormat.status).toBe(400);
    expect(badFormat.json.field).toBe('format');
    const badResult = await send('GET', `/cockpit/api/campaigns/${taskId}/export?result=WHATEVER`);
    expect(badResult.status).toBe(400);
    expect(badResult.json.field).toBe('result');
    expect((await send('GET', '/cockpit/api/campaigns/999999999/export?format=csv')).status).toBe(404);
  });

  it('XLSX: parsed back by SheetJS, the same values, attemptNumber a number', async () => {
    const res = await api.app.request(`/cockpit/api/campaigns/${taskId}/export?format=xlsx`, {}, LOCAL);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="task-${taskId}-results.xlsx"`);
    const wb = XLSX.read(new Uint8Array(await res.arrayBuffer()), { type: 'array' });
    expect(wb.SheetNames).toEqual(['results']);
    const rows = XLSX.utils.sheet_to_json<unknown[]>(wb.Sheets.results!, { header: 1, defval: '' });
    expect(rows[0]).toEqual(HEADER);
    expect(rows[1]).toEqual(['79002220001', '', 'SUCCESS_POLLING', 'ANSWER', '', 'EVENT_POLLING_END', '', 1, iso(t0 + 60.5), iso(t0 + 60.5), '1', 'пять', '9']);
    expect(rows[2]).toEqual(['79002220002', 'Клиент, "2"', 'FAIL_USER_BUSY', 'BUSY', '', 'endCall', 'User busy', 1, iso(t0 + 10), iso(t0 + 10), '', '', '']);
    expect(rows[4]).toEqual(['79002220002', 'Клиент, "2"', '', '', '', 'CreateTask', '', 2, iso(t0 + 20), '', '', '', '']);
    expect(rows).toHaveLength(5);
  });

  it('XLSX of a task with more rows than one read (5 000): every row, in order', async () => {
    const big = await newTask('export-big', Array.from({ length: 12_345 }, (_, i) => `7960${String(i).padStart(7, '0')}`));
    const res = await api.app.request(`/cockpit/api/campaigns/${big}/export?format=xlsx`, {}, LOCAL);
    const rows = XLSX.utils.sheet_to_json<unknown[]>(XLSX.read(new Uint8Array(await res.arrayBuffer()), { type: 'array' }).Sheets.results!, { header: 1 });
    expect(rows).toHaveLength(12_346);
    expect(rows[1]![0]).toBe('79600000000');
    expect(rows[12_345]![0]).toBe('79600012344');
    expect(rows[0]).toHaveLength(10); // not a survey: no question columns
  }, 60_000);
});

describe('POST /cockpit/api/tts-preview', () => {
  const spoken: Array<[string, string]> = [];
  const WAV = Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt '), Buffer.alloc(28, 1)]);
  let withSpeech: Hono;

  beforeAll(() => {
    const speech: SpeechPreview = {
      async synthesize(text, lang) {
        spoken.push([text, lang]);
        if (text.includes('fail')) return { ok: false, message: 'Yandex SpeechKit answered 401: bad key' };
        const path = join(api.dir, `preview-${spoken.length}.wav`);
        await writeFile(path, WAV);
        return { ok: true, wavPath: path };
      },
    };
    withSpeech = createApp({ config: api.config, db: api.db, log: api.log, dialer: api.dialer, audio: api.audio, prompts: api.prompts, speech });
  });

  const preview = (body: unknown, app?: Hono) =>
    send('POST', '/cockpit/api/tts-preview', typeof body === 'string' ? body : JSON.stringify(body), { 'content-type': 'application/json' }, app ?? withSpeech);

  it('answers the wav the engine made, in ru-RU unless told', async () => {
    const res = await withSpeech.request('/cockpit/api/tts-preview', { method: 'POST', body: JSON.stringify({ text: 'Здравствуйте!' }) }, LOCAL);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await res.arrayBuffer()).equals(WAV)).toBe(true);
    expect((await preview({ text: 'Hello', lang: 'en-US' })).status).toBe(200);
    expect(spoken).toEqual([
      ['Здравствуйте!', 'ru-RU'],
      ['Hello', 'en-US'],
    ]);
  });

  it('400 naming text or lang; 502 with the engine\'s words; 503 without an engine', async () => {
    const count = spoken.length;
    for (const body of [{ text: '' }, { text: '   ' }, { text: 'x'.repeat(1001) }, { text: '<b></b>' }, {}, 'not json', [1]]) {
      const r = await preview(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.field).toBe('text');
    }
    const lang = await preview({ text: 'Bonjour', lang: 'fr-FR' });
    expect(lang.status).toBe(400);
    expect(lang.json).toEqual({ error: 'Field "lang" must be one of ru-RU, en-US, en-en, uz-UZ', field: 'lang' });
    expect(spoken).toHaveLength(count); // nothing refused reached the engine

    const failed = await preview({ text: 'please fail' });
    expect(failed.status).toBe(502);
    expect(failed.json).toEqual({ error: 'Yandex SpeechKit answered 401: bad key' });

    const none = await preview({ text: 'Привет' }, api.app);
    expect(none.status).toBe(503);
    expect(none.json.error).toMatch(/not available/);

    // an engine without its key (src/tts's Tts tells it): 503 before any request is made
    const unconfigured = createApp({
      config: api.config,
      db: api.db,
      log: api.log,
      dialer: api.dialer,
      audio: api.audio,
      prompts: api.prompts,
      speech: Object.assign({ synthesize: async () => ({ ok: false as const, message: 'should not be asked' }) }, { isConfigured: async () => false }),
    });
    const noKey = await preview({ text: 'Привет' }, unconfigured);
    expect(noKey.status).toBe(503);
    expect(noKey.json.error).toMatch(/not configured/);
  });
});
