import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiUnderTest, BASE } from './harness/api.js';

/**
 * Hostile input against every endpoint: never a 5xx, never a partial write (a refused request leaves the
 * database and the data dir byte-for-byte as they were), always a message naming what was wrong.
 */
const t = await apiUnderTest();
afterAll(() => t.cleanup());

const RUNS = Number(process.env.FAULTS_RUNS ?? 40);
type Res = Awaited<ReturnType<typeof t.send>>;

/** The contract for any answer: no 5xx; JSON; a refusal names the problem and changes nothing. */
async function judge(what: string, res: Res, before: string): Promise<void> {
  expect(res.status, `${what}: ${res.text.slice(0, 200)}`).toBeLessThan(500);
  expect(res.json, `${what}: not JSON: ${res.text.slice(0, 200)}`).toBeDefined();
  const refused = res.status >= 400 || res.json.result === false;
  if (!refused) return;
  if (res.status === 404 || res.status === 401) {
    expect(res.json.errors?.length ?? res.json.messages?.length, what).toBeGreaterThan(0);
  } else {
    expect(res.json.result, what).toBe(false);
    expect(Array.isArray(res.json.messages) && res.json.messages.length > 0, `${what}: no message`).toBe(true);
    for (const m of res.json.messages) expect(typeof m === 'string' && m.trim().length > 0, `${what}: empty message`).toBe(true);
  }
  expect(await t.snapshot(), `${what}: refused but something was written`).toBe(before);
}

async function check(method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}) {
  const before = await t.snapshot();
  const res = await t.send(method, path, body, headers);
  await judge(`${method} ${path}`, res, before);
  return res;
}

const JSON_H = { 'content-type': 'application/json' };
let taskId = 0;
let pollingId = 0;

beforeAll(async () => {
  const p = await t.send('POST', `${BASE}/polling`, JSON.stringify({ name: 'p', questions: [{ questionText: 'q', press: [{ key: '1', action: 'answer' }] }] }), JSON_H);
  pollingId = p.json.data.id;
  const r = await t.send('POST', `${BASE}/task`, JSON.stringify({ innerNum: '201', numbers: ['79001112233', { number: '79001112234', clientId: 'a' }] }), JSON_H);
  taskId = r.json.data.id;
  const form = new FormData();
  form.append('file', new File([new Uint8Array([1, 2, 3])], 'hello.mp3'));
  expect((await t.send('POST', `${BASE}/audio`, form)).json.result).toBe(true);
});

// Values of every JSON type, including the nasty ones.
const weird = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ maxLength: 5000 }),
  fc.constantFrom('', ' ', '\u0000', '١٢٣', '1e309', '-0', 'NaN', '0x10', '9'.repeat(400), '../../etc/passwd', '<script>', "'; DROP TABLE tasks; --"),
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.MAX_SAFE_INTEGER + 2, -1, 1e308, 2 ** 31),
);
const taskFields = ['id', 'crmId', 'name', 'state', 'innerNum', 'innerNumType', 'maxCountChannels', 'dialPrefix', 'maxAttempt', 'tryInterval', 'attemptUntilSignal', 'timeStart', 'timeEnd', 'isCallback'];
const numberEntry = fc.oneof(weird, fc.record({ number: weird, params: weird, timeCallAllow: weird, clientId: weird, TimeOffset: weird }, { requiredKeys: [] }));
const taskBody = fc.record(
  { ...Object.fromEntries(taskFields.map((f) => [f, weird])), numbers: fc.oneof(weird, fc.array(numberEntry, { maxLength: 30 })) },
  { requiredKeys: [] },
);
const pressBody = fc.record({ key: weird, action: fc.oneof(weird, fc.constantFrom('answer', 'dial', 'playback', 'restart')), value: weird, valueOptions: weird, nextQuestion: weird }, { requiredKeys: [] });
const questionBody = fc.record(
  { questionId: weird, questionText: weird, questionFile: weird, lang: weird, timeout: weird, defPress: weird, type: weird, nextQuestion: weird, press: fc.oneof(weird, fc.array(pressBody, { maxLength: 5 })) },
  { requiredKeys: [] },
);
const pollingBody = fc.record({ crmId: weird, name: weird, questions: fc.oneof(weird, fc.array(questionBody, { maxLength: 5 })) }, { requiredKeys: [] });

describe('generated JSON bodies', () => {
  it('POST /task', async () => {
    await fc.assert(fc.asyncProperty(taskBody, async (b) => void (await check('POST', `${BASE}/task`, JSON.stringify(b), JSON_H))), { numRuns: RUNS * 2 });
  });
  it('PUT /task/{id}', async () => {
    await fc.assert(fc.asyncProperty(taskBody, async (b) => void (await check('PUT', `${BASE}/task/${taskId}`, JSON.stringify(b), JSON_H))), { numRuns: RUNS });
  });
  it('POST /polling', async () => {
    await fc.assert(fc.asyncProperty(pollingBody, async (b) => void (await check('POST', `${BASE}/polling`, JSON.stringify(b), JSON_H))), { numRuns: RUNS });
  });
  it('POST /task-signal-close', async () => {
    const body = fc.record({ phone: weird, taskId: weird }, { requiredKeys: [] });
    await fc.assert(fc.asyncProperty(body, async (b) => void (await check('POST', `${BASE}/task-signal-close`, JSON.stringify(b), JSON_H))), { numRuns: RUNS });
  });
  it('any JSON value (not an object) to every body route', async () => {
    const routes = ['POST /task', `PUT /task/${taskId}`, 'POST /polling', 'POST /task-signal-close'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.oneof(fc.jsonValue(), fc.string()), async (route, v) => {
        const [m, p] = route.split(' ');
        const res = await check(m!, BASE + p, typeof v === 'string' ? v : JSON.stringify(v), JSON_H);
        if (v === null || typeof v !== 'object' || Array.isArray(v)) expect(res.json.result).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('huge and deep', () => {
  const routes = ['POST /task', `PUT /task/${taskId || 1}`, 'POST /polling', 'POST /task-signal-close'];
  it('deep nesting, huge strings, huge arrays are refused cleanly', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const deepObj = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const bodies = [
      deep(100_000),
      deepObj(50_000),
      JSON.stringify({ innerNum: 'x'.repeat(2_000_000) }),
      JSON.stringify({ innerNum: '201', name: 'n'.repeat(1_000_000) }),
      JSON.stringify({ innerNum: '201', numbers: Array.from({ length: 200_000 }, () => ({ number: 'abc' })) }),
      JSON.stringify({ innerNum: '201', numbers: [{ number: '79001234567', params: JSON.parse(deep(2000)) }] }),
      JSON.stringify({ questions: Array.from({ length: 50_000 }, () => ({ press: 'x' })) }),
      JSON.stringify({ phone: Array(100_000).fill('7') }),
    ];
    for (const route of routes) {
      const [m, p] = route.split(' ');
      for (const b of bodies) await check(m!, BASE + p.replace(/\/1$/, `/${taskId}`), b, JSON_H);
    }
  }, 60_000);

  it('a body over DIALER_MAX_BODY_BYTES is 413 with a message and writes nothing', async () => {
    const small = await apiUnderTest({ DIALER_MAX_BODY_BYTES: '4096' });
    try {
      const before = await small.snapshot();
      const res = await small.send('POST', `${BASE}/task`, JSON.stringify({ innerNum: '201', numbers: Array(2000).fill('79001234567') }), JSON_H);
      expect(res.status).toBe(413);
      expect(res.json.result).toBe(false);
      expect(res.json.messages[0]).toMatch(/4096/);
      expect(await small.snapshot()).toBe(before);
    } finally {
      await small.cleanup();
    }
  });
});

describe('odd encodings', () => {
  const valid = JSON.stringify({ innerNum: '201', name: 'Опрос', numbers: ['79005550001'] });
  const cases: [string, Uint8Array<ArrayBuffer>][] = [
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0x69, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d])],
    ['UTF-16LE with BOM', new Uint8Array([0xff, 0xfe, ...Buffer.from(valid, 'utf16le')])],
    ['UTF-16BE with BOM', new Uint8Array([0xfe, 0xff, ...Buffer.from(valid, 'utf16le').swap16()])],
    ['UTF-16LE without BOM', new Uint8Array(Buffer.from(valid, 'utf16le'))],
    ['NUL bytes', new Uint8Array([0, 0, 0, 0])],
    ['double BOM', new Uint8Array([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, ...Buffer.from(valid)])],
    ['lone surrogate escapes', new Uint8Array(Buffer.from('{"innerNum":"\\ud800","name":"\\udfff"}'))],
    ['overlong UTF-8 slash', new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d])],
  ];
  for (const [name, bytes] of cases) {
    it(`${name}: every body route answers without a 5xx`, async () => {
      for (const [m, p] of [['POST', '/task'], ['PUT', `/task/${taskId}`], ['POST', '/polling'], ['POST', '/task-signal-close']] as const) {
        for (const ct of ['application/json', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'text/plain; charset=latin1']) {
          await check(m, BASE + p, bytes, { 'content-type': ct });
        }
      }
    });
  }
  it('a UTF-8 BOM (1C) is accepted', async () => {
    const res = await check('POST', `${BASE}/task`, new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(valid)]), JSON_H);
    expect(res.json.result).toBe(true);
  });
});

describe('broken multipart on POST /audio', () => {
  const B = 'XyZzY';
  const part = (name: string, body = 'abc') => `--${B}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: audio/mpeg\r\n\r\n${body}\r\n`;
  const broken: [string, string, string][] = [
    ['no boundary in content-type', 'multipart/form-data', part('a.mp3') + `--${B}--\r\n`],
    ['truncated body', `multipart/form-data; boundary=${B}`, part('a.mp3').slice(0, 40)],
    ['no closing boundary', `multipart/form-data; boundary=${B}`, part('a.mp3')],
    ['wrong boundary', `multipart/form-data; boundary=other`, part('a.mp3') + `--${B}--\r\n`],
    ['no file part', `multipart/form-data; boundary=${B}`, `--${B}\r\nContent-Disposition: form-data; name="x"\r\n\r\nhello\r\n--${B}--\r\n`],
    ['empty file', `multipart/form-data; boundary=${B}`, part('a.mp3', '') + `--${B}--\r\n`],
    ['garbage', `multipart/form-data; boundary=${B}`, '\u0000\u0001garbage'],
    ['JSON instead', 'application/json', '{"file":"a.mp3"}'],
    ['empty', `multipart/form-data; boundary=${B}`, ''],
  ];
  for (const [what, ct, body] of broken) {
    it(what, async () => {
      const res = await check('POST', `${BASE}/audio`, body, { 'content-type': ct });
      expect(res.json.result).toBe(false);
    });
  }

  it('path tricks in the uploaded name are refused and nothing lands outside the audio folder', async () => {
    const names = ['../../autodialer.sqlite.mp3', '..\\..\\x.wav', '/etc/passwd.mp3', 'a/../../b.mp3', '..', '.mp3/..', 'x\u0000.mp3', 'C:\\x.wav', 'x.mp3\u0000.sh', 'a'.repeat(300) + '.mp3', 'noext', 'x.php', 'x.mp3.exe', '%2e%2e%2fx.mp3'];
    for (const n of names) {
      const form = new FormData();
      form.append('f', new File([new Uint8Array([1, 2, 3])], n));
      const res = await check('POST', `${BASE}/audio`, form);
      if (n === '%2e%2e%2fx.mp3') continue; // a literal, harmless name: accepted and stored by hash
      expect(res.json.result, n).toBe(false);
    }
  });

  it('generated file names never escape the audio folder', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('../', '..\\', '/', '%2f', '\u2025', '．．／')).chain((a) => fc.tuple(fc.constant(a), fc.string({ maxLength: 20 }))), async ([a, b]) => {
        const name = `${a}${b}.wav`;
        const form = new FormData();
        form.append('f', new File([new Uint8Array([9])], name));
        const res = await check('POST', `${BASE}/audio`, form);
        if (res.json.result === true) expect(res.json.data.filename.startsWith(`${t.dir}/audio/`), res.json.data.filename).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('path tricks in ids and names', () => {
  const ids = ['abc', '-1', '0', '1.5', '1e3', '1e309', 'NaN', 'Infinity', '9'.repeat(50), '%2e%2e', '..%2F..%2Fautodialer.sqlite', '1%00', '1;DROP TABLE tasks', '١٢٣', ' 1', '0x10', '%F0%9F%92%A9', '%ff%fe'];
  it('GET/PUT/DELETE /task/{id}, GET/DELETE /polling/{id}, /results, /polling-results', async () => {
    for (const id of ids) {
      await check('GET', `${BASE}/task/${id}`);
      await check('PUT', `${BASE}/task/${id}`, JSON.stringify({ state: 2 }), JSON_H);
      await check('DELETE', `${BASE}/task/${id}`);
      await check('GET', `${BASE}/polling/${id}`);
      await check('DELETE', `${BASE}/polling/${id}`);
      await check('GET', `${BASE}/results/${id}`);
      await check('GET', `${BASE}/polling-results/${id}`);
      await check('GET', `${BASE}/task?state=${id}&offset=${id}&limit=${id}`);
    }
    // the real ones are still there
    expect((await t.send('GET', `${BASE}/task/${taskId}`)).json.result).toBe(true);
    expect((await t.send('GET', `${BASE}/polling/${pollingId}`)).json.result).toBe(true);
  });

  it('DELETE /audio/{name} with traversal never touches anything outside the audio folder', async () => {
    const names = ['..%2F..%2Fautodialer.sqlite', '..%2Ftest.sqlite', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..', '.', '..%5C..%5Cx.wav', '%00.mp3', 'hello.mp3%2F..%2F..%2Ftest.sqlite'];
    for (const n of names) {
      const before = await t.snapshot();
      const res = await t.send('DELETE', `${BASE}/audio/${n}`);
      expect(res.status, n).toBeLessThan(500);
      // "." and ".." are resolved by the URL itself and match no route (404); the rest are refused by name
      if (res.status !== 404) expect(res.json?.result, n).toBe(false);
      expect(await t.snapshot(), n).toBe(before);
    }
    expect((await t.send('GET', `${BASE}/audio`)).json.data.map((a: { name: string }) => a.name)).toContain('hello.mp3');
  });

  it('generated ids on every cockpit :param route: 400 or 404, never a 5xx', async () => {
    const routes = t.app.routes.filter((r) => r.path.startsWith('/cockpit/api/') && r.path.includes('/:') && r.method !== 'ALL');
    expect(routes.length).toBeGreaterThanOrEqual(5);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.string({ minLength: 1, maxLength: 300 }), async (r, raw) => {
        const res = await t.send(r.method, r.path.replace(/:[a-zA-Z]+/, encodeURIComponent(raw)));
        expect([400, 404], `${r.method} ${r.path} ${JSON.stringify(raw)}`).toContain(res.status);
      }),
      { numRuns: RUNS },
    );
  });

  it('generated ids on every :param route', async () => {
    // the v1 API's routes (the envelope with result false); the cockpit's answer 400 / 404 naming the field: below
    const routes = t.app.routes.filter((r) => r.path.includes('/:') && r.method !== 'ALL' && !r.path.startsWith('/cockpit/'));
    expect(routes.length).toBeGreaterThanOrEqual(6);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.string({ minLength: 1, maxLength: 300 }), async (r, raw) => {
        const path = r.path.replace(/:[a-zA-Z]+/, encodeURIComponent(raw));
        await check(r.method, path, r.method === 'PUT' ? JSON.stringify({ state: 2 }) : undefined, JSON_H);
      }),
      { numRuns: RUNS * 2 },
    );
  });
});

describe('no partial writes', () => {
  const good = fc.integer({ min: 0, max: 99_999_999 }).map((n) => `79${String(n).padStart(9, '0')}`);
  const bad = fc.oneof(
    fc.constantFrom('7900abc1234', '+7 (900) 12x', '١٢٣٤٥٦٧٨٩٠١', '7'.repeat(200), '79001234567\u0000'),
    fc.record({ number: good, timeCallAllow: fc.constantFrom('31.02.2025 10:00:00', 'tomorrow', '99.99.9999 99:99:99') }),
    fc.record({ number: good, TimeOffset: fc.constantFrom(99, -50, 'east', 1.2345) }),
  );
  it('one bad number anywhere in a big list refuses the whole request, naming it, and leaves the task as it was', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(good, { minLength: 1, maxLength: 300 }), bad, fc.nat(), fc.boolean(), async (goods, b, at, existing) => {
        const numbers: unknown[] = [...goods];
        numbers.splice(at % (goods.length + 1), 0, b);
        // upsert of the seeded task (crmId) or a new one
        const body = existing ? { crmId: String(taskId), innerNum: '202', name: 'changed', numbers } : { innerNum: '201', crmId: 'fresh', numbers };
        const res = await check('POST', `${BASE}/task`, JSON.stringify(body), JSON_H);
        expect(res.json.result).toBe(false);
        expect(res.json.messages.join(' ')).toMatch(/numbers\[\d+\]|timeCallAllow|TimeOffset|Number/);
      }),
      { numRuns: RUNS },
    );
  });
});
