import * as XLSX from '@e965/xlsx';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startService, type RunningService } from '../faults/harness/service.js';
import { BASE, connect, ONE_C_HEADERS, oneCJson, raw } from './one-c-wire.js';

/**
 * One working day of a 1C user of the module's configuration (mikopbx/ModuleAutoDialer, 1c/), replayed against
 * the real service (a child process with its built-in simulator) behind a reverse proxy, so 1C is a remote
 * client and its cookie is what lets it in:
 *  - saves a survey (Catalogs/МИКО_аиОпросы ПередЗаписью → МИКО_аиAPI.СоздатьОпрос);
 *  - saves a polling task document, paused, as a copied document is (Documents/МИКО_аиЗадачаНаОбзвон ПриЗаписи
 *    → СоздатьЗадачу), imports more numbers from an .xls (ОтправитьФайлНаСервер → POST /upload-xls), saves again;
 *  - stops one number (ПрекратитьВызовыПоНомеру → /task-signal-close) and starts the task (ИзменитьСтатусЗадачи);
 *  - runs the scheduled jobs МИКО_аиСинхронизация.СонхронизацияЗадач / СинхронизацияОпросов until 1C closes its
 *    document, with 1C's own changeTime bookkeeping (decimal registers without fraction digits);
 *  - and then looks at what a 1C user sees in its registers.
 * Each request goes as МИКО_аиAPI sends it: login/cookie/GET /test probe first, BOM + pretty JSON, no Content-Type.
 */

const PASSWORD = 's3cret';
/** The PBX sits behind a proxy on the same host; 1C is elsewhere. */
const VIA: [string, string][] = [['X-Forwarded-For', '203.0.113.7']];

/** The behaviour the simulator gives each number (last digit), and what 1C must end up with. */
const MANUAL = {
  '7 (952) 223-34-41': { result: 'SUCCESS_POLLING', answers: { q1: 'yes' } }, // presses 1
  '79522233446': { result: 'SUCCESS_POLLING', answers: { q1: 'three', q2: 'nine' } }, // presses 3 then 9
  '79522233442': { result: 'FAIL', outDialState: 'BUSY' },
  '79522233443': { result: 'FAIL', outDialState: 'NOANSWER' },
  '79522233448': { result: 'FAIL', outDialState: 'NOANSWER', hangupCause: 1 }, // does not exist
} as const;
const XLS_ROWS = [[79001110011], ['+7 (900) 111-00-22'], [79001110031]];
const STOP = '79001110031'; // would press 1; 1C stops it before the task starts

/** 1C's УбратьИзСтрокиТелефонаВсеБуквы and ПреобразоватьНомерДляСохранения (phoneId: the last 10 digits). */
const digits = (s: string) => s.replace(/\D/g, '');
const phoneIdOf = (s: string) => digits(s).slice(-10);
/** A 1C register field of type Число(N, 0): the value assigned is rounded (half away from zero). */
const decimal0 = (v: unknown) => Math.round(Number(v));
/** Формат(x, "ЧН=0; ЧГ=") of a whole number: its digits. */
const format = (n: number | string) => String(n);
/** A key JSONВСтруктуру can put into a Структура via Вычислить/Вставить: a 1C identifier. */
const IDENT = /^[A-Za-zА-Яа-яЁё_][A-Za-zА-Яа-яЁё_0-9]*$/;

const book = (rows: (string | number)[][], bookType: 'biff8' | 'xlsx'): Buffer => {
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), 'Лист1');
  return XLSX.write(wb, { type: 'buffer', bookType, compression: true }) as Buffer;
};
/** Base64Строка: 76-character lines joined by CRLF. */
const base64For1C = (b: Buffer) => b.toString('base64').replace(/.{76}(?=.)/g, '$&\r\n');

interface OneCRow {
  phoneId: string;
  [k: string]: unknown;
}

describe('a 1C user runs a survey campaign through the module configuration', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'one-c-replay-'));
  let svc: RunningService | undefined;
  afterAll(async () => {
    if (svc) {
      svc.child.kill('SIGTERM');
      await Promise.race([svc.exited, new Promise((r) => setTimeout(r, 5000))]);
      if (svc.child.exitCode === null) svc.child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('survey, task, xls import, stop-number, scheduled sync: everything 1C reads arrives, typed as 1C reads it', async () => {
    svc = await startService({
      dataDir,
      timeScale: 0.05,
      httpPort: await freePort(),
      env: {
        DIALER_ADMIN_PASSWORD: PASSWORD,
        DIALER_TRUSTED_PROXIES: '127.0.0.1',
        SIM_TIME_SCALE: '0.05',
        SIM_PORT: String(await freePort()),
      },
    });
    const url = svc.url;

    // ---- МИКО_аиAPI: every call = СоединениеСАТС (stored TOKEN, probe GET /test, else login) + the request ----
    const settings: { TOKEN?: string } = {};
    const log: string[] = [];
    const call = async (method: string, path: string, body?: string) => {
      const cookie = await connect(url, settings, 'admin', PASSWORD, log, VIA);
      expect(cookie, `1C could not connect for ${method} ${path}: ${log.join(', ')}`).toBeTruthy();
      const a = await raw(url, method, `${BASE}${path}`, [...ONE_C_HEADERS, ...VIA, ['Cookie', cookie!]], body);
      return { status: a.status, text: a.body, json: a.status === 200 ? JSON.parse(a.body.replace(/^\uFEFF/, '')) : undefined };
    };

    // the path really is remote: without the cookie the service refuses
    expect((await raw(url, 'GET', `${BASE}/test`, [...ONE_C_HEADERS, ...VIA])).status).toBe(401);

    // ---- 1. the survey (Catalogs/МИКО_аиОпросы.ПередЗаписью): Код is a 9-character string, all columns strings ----
    const survey = {
      crmId: '000000001',
      name: 'Оценка качества',
      questions: [
        {
          questionId: 'q1',
          questionText: 'Нажмите 1, если довольны, или 3, чтобы оставить отзыв',
          press: [
            { key: '1', action: 'answer', value: 'yes', nextQuestion: '' },
            { key: '3', action: 'answer', value: 'three', nextQuestion: 'q2' },
          ],
        },
        { questionId: 'q2', questionText: 'Нажмите 9', press: [{ key: '9', action: 'answer', value: 'nine', nextQuestion: '' }] },
      ],
    };
    const polling = await call('POST', '/polling', oneCJson(survey));
    expect(log).toEqual(['login 200']);
    expect(polling.status).toBe(200);
    // СоздатьОпрос: Результат.Вставить("result", Результат.success) inside Попытка: without "success" the
    // exception is swallowed and the parsed answer's own "result" stands; ПередЗаписью cancels on result = Ложь
    const pollingSaved = 'success' in polling.json ? polling.json.success : polling.json.result;
    expect(pollingSaved, polling.text).toBe(true);
    expect(typeof polling.json.data.id).toBe('string'); // ИдентификаторОпроса: Строка(100)
    const pollingId: string = polling.json.data.id;

    // ---- 2. the task document, saved paused (Состояние = 2, as ПриКопировании leaves it) ----
    const numbersTable = Object.keys(MANUAL).map((n) => ({ Номер: n }));
    const documentBody = () => {
      // ПриЗаписи: Номер := digits only; no Клиент → clientId ""; an empty timeCallAllow date → Строка() = ""
      const numbers = numbersTable.map((r) => ({ number: digits(r.Номер), timeCallAllow: '', clientId: '' }));
      const body = oneCJson({
        crmId: '000000007',
        name: 'Опрос клиентов',
        state: 2,
        innerNum: pollingId,
        innerNumType: 'polling',
        maxCountChannels: 4,
        numbers,
        maxAttempt: 1,
        tryInterval: 60,
        timeStart: 0.5, // 00:00:30
        timeEnd: 1439.9833333333333, // 23:59:59
        attemptUntilSignal: 0,
      });
      // ЗаписьJSON writes 1C's decimal quotient with all its digits
      return body.replace('1439.9833333333333', '1439.98333333333333333333333');
    };
    const created = await call('POST', '/task', documentBody());
    expect(log).toEqual(['login 200', 'probe 200']);
    expect(created.status).toBe(200);
    expect(created.json.result, created.text).toBe(true);
    const taskId = Number(created.json.data.id); // ИдентификаторЗадачи: Число(10, 0)
    expect(Number.isInteger(taskId) && taskId > 0).toBe(true);

    // ---- 3. import numbers from a spreadsheet (ОтправитьФайлНаСервер → КоннекторHTTP.Post with Файлы) ----
    const upload = async (fileName: string, file: Buffer) => {
      const boundary = 'a3f5c1d27e8b4f6a9c0d1e2f3a4b5c6d';
      const body =
        `--${boundary}\r\n` +
        `Content-Disposition: form-data; name="${fileName.replace(/\.[^.]+$/, '')}"; filename="${fileName}"\r\n` +
        `Content-Type: application/vnd.ms-excel\r\n\r\n` +
        `${base64For1C(file)}\r\n--${boundary}--\r\n`;
      const cookie = await connect(url, settings, 'admin', PASSWORD, log, VIA);
      const a = await raw(url, 'POST', `${BASE}/upload-xls`, [...ONE_C_HEADERS, ...VIA, ['Cookie', cookie!], ['Content-Type', `multipart/form-data; boundary=${boundary}`]], body);
      expect(a.status, a.body).toBe(200);
      return JSON.parse(a.body.replace(/^\uFEFF/, '')) as { number: string; clientId: string }[];
    };
    const fromXls = await upload('Клиенты.xls', book(XLS_ROWS, 'biff8'));
    const fromXlsx = await upload('Клиенты.xlsx', book(XLS_ROWS, 'xlsx'));
    expect(fromXls).toEqual([
      { number: '79001110011', clientId: '1' },
      { number: '+7 (900) 111-00-22', clientId: '2' },
      { number: '79001110031', clientId: '3' },
    ]);
    expect(fromXlsx).toEqual(fromXls);
    // КакJson gives an array of structures; the form puts each "number" into the table's Номер
    for (const row of fromXls) numbersTable.push({ Номер: row.number });
    const resaved = await call('POST', '/task', documentBody());
    expect(resaved.json.result, resaved.text).toBe(true);
    // ПриЗаписи: "Был изменен идентификатор задачи на АТС" if the id changed
    expect(Number(resaved.json.data.id)).toBe(taskId);

    // ---- 4. stop one number (ПрекратитьВызовыПоНомеру(Номер, ИдентификаторЗадачи)) ----
    const stopped = await call('POST', '/task-signal-close', oneCJson({ phone: STOP, taskId }));
    expect(stopped.status).toBe(200);
    expect(stopped.json.result, stopped.text).toBe(true);

    // ---- 5. start the task (ИзменитьСтатусЗадачи(ИдентификаторЗадачи, 0) → HTTP.Записать = PUT) ----
    const started = await call('PUT', `/task/${format(taskId)}`, oneCJson({ state: 0 }));
    expect(started.json.result, started.text).toBe(true);

    // ---- 6. the scheduled jobs, with 1C's registers ----
    const results = new Map<string, OneCRow>(); // МИКО_аиРезультатыЗадачОбзвона: key (Задача, phoneId)
    const pollingAnswers = new Map<string, OneCRow>(); // МИКО_аиРезультатыЗадачОпроса: key (Задача, phoneId, questionCrmId)
    let registerChangeTime: number | undefined; // the record МЗ.changeTime = changeTime (no dimensions)
    const asked: string[] = [];
    // НачалоДня(ТекущаяДата()) - Дата(1970,1,1,1,0,0), 1C's clock in the PBX's zone (UTC here)
    const startOfDay = () => String(Math.floor(Date.now() / 86_400_000) * 86_400 - 3600);
    const badKeys = new Set<string>();
    const checkKeys = (row: Record<string, unknown>) => {
      for (const k of Object.keys(row)) if (!IDENT.test(k)) badKeys.add(k);
    };

    const syncTasks = async () => {
      // ВЫБРАТЬ ПЕРВЫЕ 1 changeTime ... УБЫВ, else the start of today
      const stored = [...results.values()].map((r) => r.changeTime as number);
      if (registerChangeTime !== undefined) stored.push(registerChangeTime);
      let changeTime: number | string = stored.length ? Math.max(...stored) : startOfDay();
      const path = `/results/${format(changeTime)}`;
      asked.push(path);
      const answer = await call('GET', path);
      expect(answer.status, answer.text).toBe(200);
      if (answer.json.result === true) {
        for (const result of answer.json.data.results as Record<string, unknown>[]) {
          checkKeys(result);
          changeTime = Math.max(Number(result.changeTime), Number(changeTime));
          if (Number(result.taskId) !== taskId) continue; // НайтиПоРеквизиту("ИдентификаторЗадачи", Число(taskId))
          // ЗаполнитьЗначенияСвойств(МЗ, result): resources typed as the register declares them
          results.set(String(result.phoneId), {
            phoneId: String(result.phoneId),
            taskId: decimal0(result.taskId),
            phone: String(result.phone ?? ''),
            result: String(result.result ?? '').slice(0, 50),
            outDialState: String(result.outDialState ?? ''),
            state: String(result.state ?? ''),
            changeTime: decimal0(result.changeTime),
            closeTime: decimal0(result.closeTime),
            hangupCause: result.hangupCause,
            raw: result,
            Успешный: String(result.result ?? '').indexOf('SUCCESS') === 0,
          });
        }
      }
      registerChangeTime = decimal0(changeTime);
    };
    const syncPolling = async () => {
      const stored = [...pollingAnswers.values()].map((r) => r.changeTime as number);
      const changeTime = stored.length ? Math.max(...stored) : startOfDay();
      const path = `/polling-results/${format(changeTime)}`;
      asked.push(path);
      const answer = await call('GET', path);
      expect(answer.status, answer.text).toBe(200);
      if (answer.json.result === true) {
        for (const result of answer.json.data.results as Record<string, unknown>[]) {
          checkKeys(result);
          if (Number(result.taskId) !== taskId) continue;
          const key = `${result.phoneId}|${result.questionCrmId}`;
          pollingAnswers.set(key, {
            phoneId: String(result.phoneId),
            questionCrmId: String(result.questionCrmId),
            pollingId: String(result.pollingId),
            result: String(result.result ?? '').slice(0, 10),
            exten: String(result.exten ?? '').slice(0, 10),
            changeTime: decimal0(result.changeTime),
            raw: result,
          });
        }
      }
    };
    // 1C closes its document when МИНИМУМ(closeTime) over its numbers joined to the register is not 0
    const documentPhoneIds = numbersTable.map((r) => phoneIdOf(r.Номер));
    const oneCClosed = () => documentPhoneIds.every((p) => results.has(p) && results.get(p)!.closeTime !== 0);

    const deadline = Date.now() + 40_000;
    while (!oneCClosed()) {
      if (Date.now() > deadline) break;
      await syncTasks();
      await syncPolling();
      await new Promise((r) => setTimeout(r, 250));
    }
    // the scheduled jobs keep running after that: one more round, then compare with the PBX's own view
    await syncTasks();
    await syncPolling();

    // ---- 7. what the 1C user sees ----
    const missing = documentPhoneIds.filter((p) => !results.has(p) || results.get(p)!.closeTime === 0);
    expect(missing, `numbers 1C still sees open (its document never closes): ${JSON.stringify([...results.values()].map((r) => r.raw))}`).toEqual([]);
    expect([...badKeys], 'keys JSONВСтруктуру cannot put into a Структура').toEqual([]);
    // 1C's bookkeeping asks with whole numbers only (Формат(…, "ЧН=0; ЧГ=") of a rounded register value)
    for (const p of asked) expect(p).toMatch(/^\/(polling-)?results\/\d+$/);
    // and the bookkeeping really was exercised: several rounds while the campaign ran
    expect(asked.filter((p) => p.startsWith('/results/')).length).toBeGreaterThanOrEqual(3);

    // every row field 1C reads is there and typed as 1C takes it
    for (const r of results.values()) {
      const row = r.raw as Record<string, unknown>;
      for (const k of ['taskId', 'phoneId', 'phone', 'result', 'outDialState', 'inDialState', 'state', 'linkedId', 'callFile', 'verboseCallId', 'cause', 'changeTime', 'closeTime']) {
        expect(row, `row ${row.id} lacks ${k}`).toHaveProperty(k);
      }
      for (const k of ['id', 'taskId', 'changeTime', 'closeTime']) {
        expect(typeof row[k], `${k} of row ${row.id}`).toBe('string');
        expect(Number.isFinite(Number(row[k])), `${k}=${row[k]} must read with Число()`).toBe(true);
      }
      expect(row.closeTime).not.toBe('0');
      expect(String(row.phoneId)).toHaveLength(10);
    }

    // the stop-number: closed by the signal, never dialled, and the other numbers untouched
    const stop = results.get(phoneIdOf(STOP))!;
    expect(stop.result).toBe('SUCCESS_EXTERNAL_SIGNAL');
    expect(stop.Успешный).toBe(true);
    expect(pollingAnswers.has(`${phoneIdOf(STOP)}|q1`)).toBe(false);

    // the behaviours by last digit, as the seed's result codes
    const outcome = (n: string) => results.get(phoneIdOf(n))!;
    for (const [n, want] of Object.entries(MANUAL)) {
      expect(outcome(n), n).toMatchObject({ result: want.result, ...('outDialState' in want ? { outDialState: want.outDialState } : {}) });
      if ('hangupCause' in want) expect((outcome(n).raw as Record<string, unknown>).hangupCause, n).toBe(want.hangupCause);
      expect(outcome(n).Успешный, n).toBe(want.result.startsWith('SUCCESS'));
    }
    expect(outcome('79001110011').result).toBe('SUCCESS_POLLING');
    expect(outcome('+7 (900) 111-00-22')).toMatchObject({ result: 'FAIL', outDialState: 'BUSY' });

    // survey answers: the value of the key each customer pressed, per question, in the 1C polling register (Строка(10))
    const answered = [...pollingAnswers.values()].map((a) => `${a.phoneId}|${a.questionCrmId}|${a.result}`).sort();
    expect(answered).toEqual(
      [
        ...Object.entries(MANUAL).flatMap(([n, w]) => Object.entries('answers' in w ? w.answers : {}).map(([q, v]) => `${phoneIdOf(n)}|${q}|${v}`)),
        `${phoneIdOf('79001110011')}|q1|yes`,
      ].sort(),
    );
    for (const a of pollingAnswers.values()) {
      const row = a.raw as Record<string, unknown>;
      for (const k of ['taskId', 'pollingId', 'phone', 'result', 'exten', 'changeTime']) expect(row, `polling answer lacks ${k}`).toHaveProperty(k);
      expect(typeof row.changeTime).toBe('string');
    }

    // no row was missed by the rounded bookkeeping: 1C's register equals the PBX's view of the task
    const truth = await call('GET', `/task/${format(taskId)}`); // ПолучитьДанныеЗадачи
    expect(truth.json.result).toBe(true);
    const latest = new Map<string, Record<string, unknown>>();
    for (const r of truth.json.data.results as Record<string, unknown>[]) {
      const prev = latest.get(String(r.phoneId));
      if (!prev || Number(r.changeTime) > Number(prev.changeTime) || (Number(r.changeTime) === Number(prev.changeTime) && Number(r.id) > Number(prev.id))) latest.set(String(r.phoneId), r);
    }
    expect(latest.size).toBe(documentPhoneIds.length);
    for (const [phoneId, r] of latest) {
      expect(results.get(phoneId), `phone ${phoneId} in 1C`).toMatchObject({ result: r.result, closeTime: decimal0(r.closeTime), changeTime: decimal0(r.changeTime) });
    }
    const truthAnswers = (truth.json.data.resultsPoling ?? []) as Record<string, unknown>[];
    for (const a of truthAnswers) expect(pollingAnswers.has(`${a.phoneId}|${a.questionCrmId}`), `answer ${a.id} in 1C`).toBe(true);

    // the PBX closed the task too, and 1C never had to log in again
    const task = await call('GET', `/task/${format(taskId)}`);
    expect(task.json.data.state).toBe('1');
    expect(log.filter((l) => l.startsWith('login'))).toEqual(['login 200']);
    expect(log.every((l) => l === 'login 200' || l === 'probe 200')).toBe(true);
  }, 60_000);
});
