import { describe, expect, it } from 'vitest';
import { testApi } from './helpers.js';

const questionRows = (t: ReturnType<typeof testApi>, pollingId: number | string) =>
  t.db.all<any>('SELECT * FROM questions WHERE pollingId = ? ORDER BY position', [Number(pollingId)]);

describe('POST /polling', () => {
  const t = testApi();

  it('question keys: questionId, else the array index ("" and "0" count as empty); defaults lang/timeout', async () => {
    const r = await t.call('POST', '/polling', {
      crmId: 'survey-1',
      name: 'Keys',
      questions: [
        { questionId: '', questionText: 'first' },
        { questionId: '0', questionText: 'second', lang: 'en-US', timeout: '9', defPress: '1', type: 'confirmation', nextQuestion: 'q7' },
        { questionId: 'q7', questionFile: '/audio/x.wav', questionText: 'not spoken' },
      ],
    });
    // id from the database: a string; a crmId the client chose: its text
    expect(r.json.data).toEqual({ id: expect.stringMatching(/^\d+$/), crmId: 'survey-1', name: 'Keys' });
    expect((await questionRows(t, r.json.data.id)).map((q) => [q.crmId, q.lang, q.timeout, q.defPress, q.type, q.nextQuestion])).toEqual([
      ['0', 'ru-RU', 5, null, '', null],
      ['1', 'en-US', 9, '1', 'confirmation', 'q7'],
      ['q7', 'ru-RU', 5, null, '', null],
    ]);
    // GET answers every database value as a string (timeout too), null stays null
    const got = (await t.call('GET', `/polling/${r.json.data.id}`)).json.data;
    expect(got.questions.map((q: any) => [typeof q.id, q.questionId, q.lang, q.timeout, q.defPress, q.type, q.nextQuestion])).toEqual([
      ['string', '0', 'ru-RU', '5', null, '', null],
      ['string', '1', 'en-US', '9', '1', 'confirmation', 'q7'],
      ['string', 'q7', 'ru-RU', '5', null, '', null],
    ]);
    // a question with a file is not voiced
    expect(t.prompts.seen.at(-1)).toEqual([
      { text: 'first', lang: 'ru-RU', label: 'questions[0]' },
      { text: 'second', lang: 'en-US', label: 'questions[1]' },
    ]);
  });

  it('upsert by crmId replaces all questions and presses; crmId auto = max id + 1', async () => {
    const a = await t.call('POST', '/polling', { crmId: 'survey-2', questions: [{ questionText: 'a', press: [{ key: 1, action: 'answer' }] }, { questionText: 'b' }] });
    const b = await t.call('POST', '/polling', { crmId: 'survey-2', name: 'v2', questions: [{ questionText: 'only', press: [{ key: '2', action: 'dial', value: '201' }] }] });
    expect(b.json.data.id).toBe(a.json.data.id);
    const got = await t.call('GET', `/polling/${a.json.data.id}`);
    expect(got.json.data.name).toBe('v2');
    expect(got.json.data.questions).toHaveLength(1);
    expect(got.json.data.questions[0].press).toEqual([{ key: '2', action: 'dial', value: '201', valueOptions: null, nextQuestion: null }]);
    expect(await t.db.get('SELECT COUNT(*) AS n FROM question_actions WHERE pollingId = ?', [Number(a.json.data.id)])).toEqual({ n: 1 });
    const auto = await t.call('POST', '/polling', { name: 'auto' });
    // an assigned crmId is a number, as in the seed ("id": "7", "crmId": 7); GET answers it as text
    expect(auto.json.data.crmId).toBe(Number(auto.json.data.id));
    expect((await t.call('GET', `/polling/${auto.json.data.id}`)).json.data.crmId).toBe(auto.json.data.id);
    // a client-chosen crmId that equals the next auto value is skipped, not overwritten
    const autoId = Number(auto.json.data.id);
    const chosen = await t.call('POST', '/polling', { crmId: String(autoId + 2), name: 'chosen' });
    expect(chosen.json.data.id).toBe(String(autoId + 1));
    const auto2 = await t.call('POST', '/polling', { name: 'auto2' });
    expect(auto2.json.data).toMatchObject({ id: String(autoId + 2), crmId: autoId + 3 });
    expect((await t.call('GET', `/polling/${chosen.json.data.id}`)).json.data.name).toBe('chosen');
  });

  it('voices playback presses with valueOptions text, stripping one pair of quotes', async () => {
    await t.call('POST', '/polling', {
      questions: [
        {
          questionText: 'Q',
          lang: 'uz-UZ',
          press: [
            { key: '1', action: 'playback', value: '"Rahmat"', valueOptions: 'text' },
            { key: '2', action: 'playback', value: '/var/audio/x.wav', valueOptions: 'file' },
            { key: '3', action: 'playback', value: '""quoted""', valueOptions: 'text' },
            { key: '4', action: 'playback', value: '"no options"' },
            { key: '5', action: 'playback', value: '/var/audio/y.wav', valueOptions: '' },
            { key: '6', action: 'answer', value: 'not spoken' },
          ],
        },
      ],
    });
    expect(t.prompts.seen.at(-1)).toEqual([
      { text: 'Q', lang: 'uz-UZ', label: 'questions[0]' },
      { text: 'Rahmat', lang: 'uz-UZ', label: 'questions[0].press[0]' },
      { text: '"quoted"', lang: 'uz-UZ', label: 'questions[0].press[2]' },
      { text: 'no options', lang: 'uz-UZ', label: 'questions[0].press[3]' },
    ]);
  });

  it('prompt errors refuse the polling and save nothing', async () => {
    const before = await t.db.get('SELECT COUNT(*) AS n FROM pollings');
    t.prompts.errors.push('TTS rejected "Q": 401 Unauthorized (check YANDEX_API_KEY)');
    const r = await t.call('POST', '/polling', { crmId: 'refused', questions: [{ questionText: 'Q' }] });
    t.prompts.errors.length = 0;
    expect(r.json).toMatchObject({ result: false, messages: ['TTS rejected "Q": 401 Unauthorized (check YANDEX_API_KEY)'] });
    expect(await t.db.get('SELECT COUNT(*) AS n FROM pollings')).toEqual(before);
  });

  it('prompt warnings and dangling nextQuestion targets are returned with a saved polling', async () => {
    t.prompts.warnings.push('TTS is not configured: text prompts will be a beep');
    const r = await t.call('POST', '/polling', {
      questions: [{ questionId: '1', questionText: 'Q', press: [{ key: '1', action: 'answer', nextQuestion: '9' }] }],
    });
    t.prompts.warnings.length = 0;
    expect(r.json.result).toBe(true);
    expect(r.json.messages).toEqual(['TTS is not configured: text prompts will be a beep', 'questions[0].press[0]: nextQuestion "9" matches no questionId']);
  });
});

describe('POST /polling with audio files', () => {
  const t = testApi();
  it('warns about files that are not on this server; uploaded files are fine (with or without extension)', async () => {
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('ID3')]), 'q.mp3');
    const wav = (await t.call('POST', '/audio', form)).json.data.filename as string;
    const r = await t.call('POST', '/polling', {
      questions: [
        { questionFile: wav, press: [{ key: '1', action: 'playback', value: wav.replace(/\.wav$/, '.mp3'), valueOptions: 'file' }] },
        { questionFile: '/nowhere/missing.wav', press: [{ key: '2', action: 'playback', value: '/nowhere/gone.mp3', valueOptions: 'file' }] },
      ],
    });
    expect(r.json.result).toBe(true);
    expect(r.json.messages).toEqual([
      'questions[1]: questionFile "/nowhere/missing.wav" does not exist on this server',
      'questions[1].press[0]: file "/nowhere/gone.mp3" does not exist on this server',
    ]);
  });
});

describe('GET /polling/{id}, DELETE /polling/{id}', () => {
  const t = testApi();
  it('unknown id → result:false; delete removes questions and presses and is idempotent', async () => {
    expect((await t.call('GET', '/polling/77')).json).toMatchObject({ result: false, data: [], messages: ['Polling 77 not found'] });
    const id = (await t.call('POST', '/polling', { questions: [{ questionText: 'a', press: [{ key: '1', action: 'answer' }] }] })).json.data.id;
    expect((await t.call('DELETE', `/polling/${id}`)).json).toMatchObject({ result: true, data: [] });
    expect((await t.call('GET', `/polling/${id}`)).json.result).toBe(false);
    expect(await t.db.get('SELECT (SELECT COUNT(*) FROM questions) + (SELECT COUNT(*) FROM question_actions) AS n')).toEqual({ n: 0 });
    expect((await t.call('DELETE', `/polling/${id}`)).json.result).toBe(true);
  });
});

describe('POST /polling: v1.35 press extras and confirmation questions', () => {
  const t = testApi();
  const V135 = {
    crmId: 'v135',
    name: 'v1.35',
    questions: [
      {
        questionId: 'addr',
        questionText: 'Нажмите 1 и назовите адрес',
        press: [{ key: '1', action: 'playback_record', value: 'Говорите после сигнала', valueOptions: '15', needRecognize: '1', recognizeLabel: 'Адрес', nextQuestion: 'check' }],
      },
      {
        questionId: 'check',
        questionText: 'Проверьте',
        type: 'confirmation',
        defPress: '1',
        press: [
          { key: '1', action: 'send_crm', crmResponseTemplate: 'Ваш номер <result>' },
          { key: '2', action: 'restart', value: 'again', nextQuestion: 'addr', needRecognize: 0 },
        ],
      },
    ],
  };

  it('stores needRecognize, recognizeLabel, crmResponseTemplate and type; GET answers them (only where set)', async () => {
    const r = await t.call('POST', '/polling', V135);
    expect(r.json.result).toBe(true);
    expect(r.json.messages).toEqual([]);
    const id = Number(r.json.data.id);
    expect(
      await t.db.all('SELECT key, action, needRecognize, recognizeLabel, crmResponseTemplate FROM question_actions WHERE pollingId = ? ORDER BY id', [id]),
    ).toEqual([
      { key: '1', action: 'playback_record', needRecognize: 1, recognizeLabel: 'Адрес', crmResponseTemplate: null },
      { key: '1', action: 'send_crm', needRecognize: 0, recognizeLabel: null, crmResponseTemplate: 'Ваш номер <result>' },
      { key: '2', action: 'restart', needRecognize: 0, recognizeLabel: null, crmResponseTemplate: null },
    ]);
    const got = (await t.call('GET', `/polling/${id}`)).json.data;
    expect(got.questions.map((q: any) => [q.questionId, q.type, q.defPress])).toEqual([
      ['addr', '', null],
      ['check', 'confirmation', '1'],
    ]);
    expect(got.questions[0].press).toEqual([
      { key: '1', action: 'playback_record', value: 'Говорите после сигнала', valueOptions: '15', nextQuestion: 'check', needRecognize: '1', recognizeLabel: 'Адрес' },
    ]);
    expect(got.questions[1].press).toEqual([
      { key: '1', action: 'send_crm', value: null, valueOptions: null, nextQuestion: null, crmResponseTemplate: 'Ваш номер <result>' },
      { key: '2', action: 'restart', value: 'again', valueOptions: null, nextQuestion: 'addr' },
    ]);
    // the playback_record prompt is voiced at save time, always in ru-RU
    expect(t.prompts.seen.at(-1)).toContainEqual({ text: 'Говорите после сигнала', lang: 'ru-RU', label: 'questions[0].press[0]' });
  });

  it('round-trips: what GET answers can be POSTed back unchanged', async () => {
    const id = Number((await t.call('POST', '/polling', V135)).json.data.id);
    const got = (await t.call('GET', `/polling/${id}`)).json.data;
    const again = await t.call('POST', '/polling', { crmId: got.crmId, name: got.name, questions: got.questions });
    expect(again.json.result).toBe(true);
    expect((await t.call('GET', `/polling/${id}`)).json.data.questions).toEqual(got.questions.map((q: any) => ({ ...q, id: expect.any(String) })));
  });

  it('refuses bad values, naming the field', async () => {
    const bad = async (press: Record<string, unknown>, question: Record<string, unknown> = {}) =>
      (await t.call('POST', '/polling', { questions: [{ questionText: 'Q', ...question, press: [{ key: '1', action: 'playback_record', ...press }] }] })).json;
    const a = await bad({ needRecognize: 2 });
    expect(a.result).toBe(false);
    expect(a.messages).toEqual(['Field "questions[0].press[0].needRecognize" must be one of 0, 1']);
    const b = await bad({ recognizeLabel: { x: 1 } });
    expect(JSON.stringify(b.messages)).toMatch(/recognizeLabel/);
    const c = await bad({ crmResponseTemplate: 'x'.repeat(5000) });
    expect(JSON.stringify(c.messages)).toMatch(/crmResponseTemplate/);
    const d = await bad({}, { type: 'confirm' });
    expect(JSON.stringify(d.messages)).toMatch(/type/);
    const e = await bad({ action: 'record' });
    expect(JSON.stringify(e.messages)).toMatch(/action.*playback_record/);
  });

  it('warns about extras that cannot work as given', async () => {
    const r = await t.call('POST', '/polling', {
      questions: [
        {
          questionText: 'Q',
          press: [
            { key: '1', action: 'playback_record', value: 'Говорите', valueOptions: 'text' },
            { key: '2', action: 'answer', needRecognize: 1, crmResponseTemplate: 'x <result>' },
          ],
        },
      ],
    });
    expect(r.json.result).toBe(true);
    expect(r.json.messages).toEqual([
      'questions[0].press[0]: valueOptions "text" of playback_record is not a number of seconds; the default wait is used',
      'questions[0].press[1]: needRecognize only applies to playback_record',
      'questions[0].press[1]: crmResponseTemplate only applies to send_crm',
    ]);
  });
});
