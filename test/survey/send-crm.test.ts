/** send_crm (v1.35): the CRM request, the spoken answer, and failures that never hold the call. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallSettings, CrmClient, CrmRequest, CrmResult } from '../../src/ports.js';
import { startFakeSpeechKit, type FakeSpeechKit } from '../fakes/speechkit.js';
import type { PollingDef } from './fixtures.js';
import { surveyHarness } from './harness.js';

let speechkit: FakeSpeechKit;
const sent: Array<{ req: CrmRequest; signal?: AbortSignal }> = [];
let answer: (req: CrmRequest, signal?: AbortSignal) => Promise<CrmResult> = async () => ({ ok: true, status: 200, data: '' });
let settings: CallSettings = { defaultDialPrefix: '', callbackAlertText: '', crmUrl: 'http://crm.test/hook', crmResponseTemplate: 'Ответ CRM: <result>' };
const crm: CrmClient = {
  send: (req, signal) => {
    sent.push({ req, signal });
    return answer(req, signal);
  },
};
let h: Awaited<ReturnType<typeof surveyHarness>>;
let noCrm: Awaited<ReturnType<typeof surveyHarness>>;

beforeAll(async () => {
  speechkit = await startFakeSpeechKit();
  h = await surveyHarness(speechkit, {}, { crm, settings: { current: async () => settings }, crmTimeoutMs: 200 });
  noCrm = await surveyHarness(speechkit, {}, {});
});
afterAll(async () => {
  await speechkit.close();
  await h.env.cleanup();
  await noCrm.env.cleanup();
});

const POLLING = (template?: string): PollingDef => ({
  name: 'crm',
  questions: [
    { questionId: 'q1', questionText: 'Оцените: 5 отлично', press: [{ key: '5', action: 'answer', value: 'отлично', nextQuestion: 'q2' }] },
    {
      questionId: 'q2',
      questionText: 'Чтобы узнать статус заказа, нажмите 1',
      press: [{ key: '1', action: 'send_crm', crmResponseTemplate: template, nextQuestion: 'q1' }],
    },
  ],
});

function customer(harness: typeof h, channelId: string) {
  harness.fake.onPlay = (ch) => {
    if (ch !== channelId) return;
    const n = harness.fake.played(ch).length;
    if (n === 1) harness.fake.press(ch, '5');
    if (n === 2) harness.fake.press(ch, '1');
  };
}

describe('send_crm', () => {
  it('posts this call’s answers, speaks the press’s template with <result> (digits spelled), ends SUCCESS_POLLING', async () => {
    answer = async () => ({ ok: true, status: 200, data: '4521' });
    const call = await h.start(POLLING('Ваш заказ номер <result> в пути'), { linkedId: 'crm-1', phone: '79001234567' });
    customer(h, call.channelId);
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING', crm: 'answered' });
    const last = sent.at(-1)!;
    expect(last.req).toEqual({
      phone: '79001234567',
      linkedId: 'crm-1',
      pollingId: call.pollingId,
      results: [
        { questionId: 'q1', result: 'отлично', exten: '5', recognizedText: null, recognizeLabel: null },
        { questionId: 'q2', result: '1', exten: '1', recognizedText: null, recognizeLabel: null },
      ],
    });
    expect(last.signal).toBeInstanceOf(AbortSignal);
    expect(h.fake.played(call.channelId).at(-1)).toBe(await h.ttsUri('Ваш заказ номер 4 5 2 1 в пути', 'ru-RU', true));
    // nextQuestion of the press is not followed: send_crm ends the survey
    expect(h.fake.played(call.channelId)).toHaveLength(3);
    expect((await h.resultsOf('crm-1')).map((r) => [r.questionCrmId, r.result, r.exten])).toEqual([
      ['q1', 'отлично', '5'],
      ['q2', '1', '1'],
    ]);
  });

  it('a press without a template uses the settings’ crmResponseTemplate', async () => {
    answer = async () => ({ ok: true, status: 200, data: 'готов' });
    const call = await h.start(POLLING());
    customer(h, call.channelId);
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING', crm: 'answered' });
    expect(h.fake.played(call.channelId).at(-1)).toBe(await h.ttsUri('Ответ CRM: готов', 'ru-RU', true));
  });

  it('no template on the press nor in the settings: the data itself is spoken', async () => {
    const saved = settings;
    settings = { ...settings, crmResponseTemplate: '' };
    answer = async () => ({ ok: true, status: 200, data: 'заказ в пути' });
    try {
      const call = await h.start(POLLING());
      customer(h, call.channelId);
      expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING', crm: 'answered' });
      expect(h.fake.played(call.channelId).at(-1)).toBe(await h.ttsUri('заказ в пути', 'ru-RU', true));
    } finally {
      settings = saved;
    }
  });

  it('CRM error (HTTP 500): logged, nothing spoken, still SUCCESS_POLLING with crm "failed"', async () => {
    answer = async () => ({ ok: false, message: 'CRM answered HTTP 500' });
    const call = await h.start(POLLING('Ответ: <result>'));
    customer(h, call.channelId);
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING', crm: 'failed' });
    expect(h.fake.played(call.channelId)).toHaveLength(2);
    expect((await h.resultsOf(call.linkedId)).map((r) => r.result)).toEqual(['отлично', '1']);
  });

  it('a CRM that never answers is given up after crmTimeoutMs (its signal aborted); SUCCESS_POLLING, crm "failed"', async () => {
    answer = () => new Promise(() => {});
    const call = await h.start(POLLING('Ответ: <result>'));
    customer(h, call.channelId);
    const t = Date.now();
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING', crm: 'failed' });
    expect(Date.now() - t).toBeLessThan(1500);
    expect(sent.at(-1)!.signal?.aborted).toBe(true);
    expect(h.fake.played(call.channelId)).toHaveLength(2);
  });

  it('an answer that is not 2xx counts as failed', async () => {
    answer = async () => ({ ok: true, status: 302, data: 'moved' });
    const call = await h.start(POLLING('Ответ: <result>'));
    customer(h, call.channelId);
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING', crm: 'failed' });
  });

  it('hangup while waiting for the CRM: the request is cancelled, FAIL_POLLING at once', async () => {
    answer = (_req, signal) => new Promise((resolve) => signal?.addEventListener('abort', () => resolve({ ok: false, message: 'aborted' })));
    const call = await h.start(POLLING('Ответ: <result>'));
    customer(h, call.channelId);
    const before = sent.length;
    const waitSent = async () => {
      while (sent.length === before) await new Promise((r) => setTimeout(r, 2));
    };
    await waitSent();
    h.fake.hangupRemote(call.channelId);
    expect(await call.outcome).toEqual({ result: 'FAIL_POLLING', reason: 'hangup' });
    expect(sent.at(-1)!.signal?.aborted).toBe(true);
    expect((await h.resultsOf(call.linkedId)).map((r) => r.result)).toEqual(['отлично', '1']);
  });

  it('CRM URL empty in the settings: warns, asks nothing, ends SUCCESS_POLLING with crm "not-configured"', async () => {
    const saved = settings;
    settings = { ...settings, crmUrl: '' };
    const before = sent.length;
    try {
      const call = await h.start(POLLING('Ответ: <result>'));
      customer(h, call.channelId);
      expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING', crm: 'not-configured' });
      expect(sent.length).toBe(before);
    } finally {
      settings = saved;
    }
  });

  it('no CRM client at all: ends SUCCESS_POLLING with crm "not-configured"', async () => {
    const call = await noCrm.start(POLLING('Ответ: <result>'));
    customer(noCrm, call.channelId);
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING', crm: 'not-configured' });
  });
});
