/** Confirmation questions (v1.35): the read-back of this call's answers, its wait, and defPress when there is nothing to confirm. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecognizeResult, SpeechRecognizer } from '../../src/ports.js';
import { confirmationText } from '../../stasis/survey/verbs/confirm.js';
import type { Answer } from '../../stasis/survey/results.js';
import { startFakeSpeechKit, type FakeSpeechKit } from '../fakes/speechkit.js';
import type { PollingDef } from './fixtures.js';
import { surveyHarness } from './harness.js';

let speechkit: FakeSpeechKit;
let recognize: (path: string) => Promise<RecognizeResult> = async () => ({ ok: true, text: 'улица Ленина 5' });
let h: Awaited<ReturnType<typeof surveyHarness>>;

beforeAll(async () => {
  speechkit = await startFakeSpeechKit();
  const recognizer: SpeechRecognizer = { configured: async () => true, recognize: (p) => recognize(p) };
  h = await surveyHarness(speechkit, { recordMs: () => 20 }, { recognizer, pendingRecognitionWaitMs: 150 });
});
afterAll(async () => {
  await speechkit.close();
  await h.env.cleanup();
});

/** Address by voice (recognised), a rating by key, then the confirmation: 1 = right, 2 = start over. */
const POLLING: PollingDef = {
  name: 'confirm',
  questions: [
    {
      questionId: 'addr',
      questionText: 'Нажмите 1 и назовите адрес',
      press: [{ key: '1', action: 'playback_record', value: 'Говорите', valueOptions: '5', needRecognize: 1, recognizeLabel: 'Адрес', nextQuestion: 'rate' }],
    },
    { questionId: 'rate', questionText: 'Оцените от 1 до 5', press: [{ key: '4', action: 'answer', value: 'четыре', nextQuestion: 'check' }] },
    {
      questionId: 'check',
      type: 'confirmation',
      questionText: 'Проверьте ваши ответы.',
      timeout: 1,
      press: [
        { key: '1', action: 'answer', value: 'верно' },
        { key: '2', action: 'restart', value: 'неверно' },
      ],
    },
  ],
};
const READ_BACK = 'Проверьте ваши ответы. Адрес: улица Ленина 5. rate: четыре.';

/** Presses 1 at the first question, 4 at the rating, `atConfirm` (after `confirmDelayMs`) at the read-back. */
function customer(channelId: string, atConfirm: string, confirmDelayMs = 0) {
  h.fake.onPlay = (ch, uri) => {
    if (ch !== channelId) return;
    const n = h.fake.played(ch).length;
    if (n === 1) h.fake.press(ch, '1');
    if (n === 3) h.fake.press(ch, '4');
    if (n === 4 && uri.includes('/calls/')) setTimeout(() => h.fake.press(ch, atConfirm), confirmDelayMs);
  };
}

describe('confirmation questions', () => {
  it('reads back this call’s answers (recognised text with its label, keys by question id) and takes the key', async () => {
    recognize = () => new Promise((r) => setTimeout(() => r({ ok: true, text: 'улица Ленина 5' }), 40)); // still running at the confirmation
    const call = await h.start(POLLING);
    customer(call.channelId, '1');
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect(h.fake.played(call.channelId)[3]).toBe(await h.ttsUri(READ_BACK, 'ru-RU', true));
    expect((await h.resultsOf(call.linkedId)).map((r) => [r.questionCrmId, r.result, r.recognizedText])).toEqual([
      ['addr', '-', 'улица Ленина 5'],
      ['rate', 'четыре', null],
      ['check', 'верно', null],
    ]);
  });

  it('reads back only this call’s answers, even when another call shares the linkedId', async () => {
    recognize = async () => ({ ok: true, text: 'улица Ленина 5' });
    const other = await h.start({ ...POLLING, questions: POLLING.questions.slice(1) }, { linkedId: 'shared' });
    h.fake.onPlay = (ch) => ch === other.channelId && h.fake.press(ch, h.fake.played(ch).length === 1 ? '4' : '1');
    await other.outcome;
    const call = await h.start(POLLING, { linkedId: 'shared' });
    customer(call.channelId, '1');
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect(h.fake.played(call.channelId)[3]).toBe(await h.ttsUri(READ_BACK, 'ru-RU', true));
  });

  it('waits max(timeout, 10) seconds for the key after the read-back', async () => {
    const call = await h.start(POLLING);
    customer(call.channelId, '1', 6000 * 0.02); // 6 s nominal: past the question's timeout of 1 s, within 10 s
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect((await h.resultsOf(call.linkedId)).at(-1)).toMatchObject({ questionCrmId: 'check', result: 'верно' });
    expect(h.fake.played(call.channelId)).toHaveLength(4); // not replayed after the question's own 1 s
  });

  it('a recognition still running past the bounded wait: the read-back goes on with what is known', async () => {
    recognize = () => new Promise(() => {});
    const call = await h.start(POLLING);
    customer(call.channelId, '1');
    const t = Date.now();
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect(Date.now() - t).toBeLessThan(2000);
    expect(h.fake.played(call.channelId)[3]).toBe(await h.ttsUri('Проверьте ваши ответы. rate: четыре.', 'ru-RU', true));
  });

  it('nothing to confirm: behaves as if defPress was pressed (no read-back played)', async () => {
    const polling: PollingDef = {
      name: 'nothing',
      questions: [
        { questionId: 'check', type: 'confirmation', questionText: 'Проверьте', defPress: '9', press: [{ key: '9', action: 'answer', value: 'нечего' }] },
      ],
    };
    const call = await h.start(polling);
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect(h.fake.played(call.channelId)).toEqual([]);
    expect((await h.resultsOf(call.linkedId)).map((r) => r.result)).toEqual(['нечего']);
  });

  it('nothing to confirm and no defPress: asked as an ordinary question', async () => {
    const polling: PollingDef = {
      name: 'nothing, no defPress',
      questions: [{ questionId: 'check', type: 'confirmation', questionText: 'Проверьте', press: [{ key: '1', action: 'answer', value: 'ok' }] }],
    };
    const call = await h.start(polling);
    h.fake.onPlay = (ch) => ch === call.channelId && h.fake.press(ch, '1');
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect(h.fake.played(call.channelId)).toEqual([await h.ttsUri('Проверьте')]);
  });
});

describe('confirmationText', () => {
  const a = (questionCrmId: string, result: string, extra: Partial<Answer> = {}): Answer => ({
    id: 0, questionCrmId, result, exten: '', label: questionCrmId, recognizedText: null, recognizeLabel: null, ...extra,
  });

  it('follows confirm-stt.php: "<text> <label>: <words>. <label>: <words>."; the latest answer per question', () => {
    const answers = [a('q1', '1'), a('q2', '-', { recognizedText: 'Иванов', recognizeLabel: 'Фамилия' }), a('q1', '3'), a('q3', '-'), a('c', 'x')];
    expect(confirmationText('  Проверьте: ', answers, new Set(['c']))).toBe('Проверьте: Фамилия: Иванов. q1: 3.');
    expect(confirmationText('', [a('q1', '-', { label: 'Адрес' })], new Set())).toBeUndefined();
    expect(confirmationText('', [a('q1', '-', { label: 'Адрес', recognizedText: 'тут' })], new Set())).toBe('Адрес: тут.');
  });
});
