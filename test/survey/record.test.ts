/**
 * playback_record (v1.35) over the fake ARI: the prompt, the ARI recording, Read()-like digit collection, the
 * stored row (digits, recording path) and speech recognition running beside the call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecognizeResult, SpeechRecognizer } from '../../src/ports.js';
import type { RecordRequest } from '../../stasis/ari/port.js';
import { startFakeSpeechKit, type FakeSpeechKit } from '../fakes/speechkit.js';
import type { PollingDef } from './fixtures.js';
import { surveyHarness } from './harness.js';

const DIR = '/spool/recording';
let speechkit: FakeSpeechKit;
/** How the fake Asterisk ends each recording, by test. */
let recordMs: (req: RecordRequest) => number | 'failed' | 'refused' | 'never' = () => 'never';
/** The recognizer the next call uses. */
let recognizer: SpeechRecognizer = { configured: async () => true, recognize: async () => ({ ok: true, text: '' }) };
let h: Awaited<ReturnType<typeof surveyHarness>>;

beforeAll(async () => {
  speechkit = await startFakeSpeechKit();
  const viaCurrent: SpeechRecognizer = {
    configured: () => recognizer.configured(),
    recognize: (p, l, s) => recognizer.recognize(p, l, s),
  };
  h = await surveyHarness(speechkit, { recordMs: (r) => recordMs(r) }, { recordingsDir: DIR, recognizer: viaCurrent, recognitionTimeoutMs: 300 });
});
afterAll(async () => {
  await speechkit.close();
  await h.env.cleanup();
});

const poll = (press: Partial<PollingDef['questions'][0]['press'][0]> = {}, next?: PollingDef['questions'][0]): PollingDef => ({
  name: 'record',
  questions: [
    {
      questionId: 'addr',
      questionText: 'Чтобы назвать адрес, нажмите 1',
      press: [{ key: '1', action: 'playback_record', value: 'Назовите адрес после сигнала', valueOptions: '2', nextQuestion: next?.questionId, ...press }],
    },
    ...(next ? [next] : []),
  ],
});

/** The customer presses 1 at the question, then `digits` once the recording runs. */
function customer(channelId: string, digits = '') {
  h.fake.onPlay = (ch) => {
    if (ch === channelId && h.fake.played(ch).length === 1) h.fake.press(ch, '1');
  };
  h.fake.onRecord = (ch) => {
    if (ch === channelId && digits) setTimeout(() => h.fake.press(ch, digits), 5);
  };
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 3000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('playback_record', () => {
  it('speaks the value (ru-RU), records wav, stores the digits read and the recording path', async () => {
    recordMs = () => 'never';
    const call = await h.start(poll({}), { linkedId: 'lnk-1' });
    customer(call.channelId, '42#');
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect(h.fake.played(call.channelId)).toEqual([await h.ttsUri('Чтобы назвать адрес, нажмите 1'), await h.ttsUri('Назовите адрес после сигнала')]);
    const rec = h.fake.recordings.find((r) => r.channelId === call.channelId)!;
    expect(rec.req).toEqual({
      name: 'autodialer-lnk-1-addr-1',
      format: 'wav',
      maxDurationSeconds: 2,
      maxSilenceSeconds: 5,
      beep: false,
      terminateOn: 'none',
      ifExists: 'overwrite',
    });
    // '#' ended the answer: we stopped the recording ourselves
    expect(h.fake.commands.some((c) => c.op === 'stopRecording' && c.args[0] === 'autodialer-lnk-1-addr-1')).toBe(true);
    const rows = await h.resultsOf('lnk-1');
    expect(rows.map((r) => [r.questionCrmId, r.result, r.exten, r.recognizedText])).toEqual([['addr', '42', `${DIR}/autodialer-lnk-1-addr-1.wav`, null]]);
  });

  it('a spoken answer (no digits) ends when Asterisk ends the recording (silence / max duration): result "-"', async () => {
    recordMs = () => 30;
    const call = await h.start(poll({ valueOptions: '30' })); // 30 s window: only the recording's end can end it quickly
    customer(call.channelId);
    const t = Date.now();
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect(Date.now() - t).toBeLessThan(30 * 1000 * 0.02);
    expect(h.fake.commands.some((c) => c.op === 'stopRecording' && String(c.args[0]).includes(call.channelId.slice(5)))).toBe(false);
    const [row] = await h.resultsOf(call.linkedId);
    expect(row).toMatchObject({ result: '-', exten: `${DIR}/autodialer-linked-${call.channelId}-addr-1.wav` });
  });

  it('no digits and a recording that runs on: the answer ends after valueOptions seconds and the recording is stopped', async () => {
    recordMs = () => 'never';
    const call = await h.start(poll({ valueOptions: '3' }));
    customer(call.channelId);
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect(h.fake.commands.filter((c) => c.op === 'stopRecording').map((c) => c.args[0])).toContain(`autodialer-linked-${call.channelId}-addr-1`);
    expect((await h.resultsOf(call.linkedId))[0].result).toBe('-');
  });

  it('digits without "#": the answer ends valueOptions seconds after the last digit; at most 20 digits', async () => {
    recordMs = () => 'never';
    const call = await h.start(poll({ valueOptions: '2' }));
    customer(call.channelId, '1234567890123456789012345');
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect((await h.resultsOf(call.linkedId))[0].result).toBe('12345678901234567890');
  });

  it('Asterisk refuses to record: digits are still read, exten is empty, no recognition', async () => {
    recordMs = () => 'refused';
    let asked = 0;
    recognizer = { configured: async () => true, recognize: async () => (asked++, { ok: true, text: 'x' }) };
    const call = await h.start(poll({ needRecognize: 1 }));
    h.fake.onRecord = undefined;
    h.fake.onPlay = (ch) => {
      const n = h.fake.played(ch).length;
      if (ch === call.channelId && n === 1) h.fake.press(ch, '1');
      if (ch === call.channelId && n === 2) setTimeout(() => h.fake.press(ch, '7#'), 40); // after the prompt
    };
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect((await h.resultsOf(call.linkedId)).map((r) => [r.result, r.exten])).toEqual([['7', '']]);
    expect(asked).toBe(0);
  });

  it('RecordingFailed: the digits count, exten is empty', async () => {
    recordMs = () => 'failed';
    const call = await h.start(poll({}));
    customer(call.channelId, '5#');
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect((await h.resultsOf(call.linkedId)).map((r) => [r.result, r.exten])).toEqual([['5', '']]);
  });

  it('recognition fills recognizedText and recognizeLabel later, without holding the call', async () => {
    recordMs = () => 20;
    let release!: (r: RecognizeResult) => void;
    const asked: Array<{ path: string; lang: string; signal?: AbortSignal }> = [];
    recognizer = {
      configured: async () => true,
      recognize: (path, lang, signal) => {
        asked.push({ path, lang, signal });
        return new Promise((resolve) => (release = resolve));
      },
    };
    const next = { questionId: 'q2', questionText: 'Оцените', press: [{ key: '5', action: 'answer', value: 'five' }] };
    const call = await h.start(poll({ needRecognize: 1, recognizeLabel: 'Адрес' }, next));
    h.fake.onPlay = (ch) => {
      const n = h.fake.played(ch).length;
      if (ch === call.channelId && n === 1) h.fake.press(ch, '1');
      if (ch === call.channelId && n === 3) h.fake.press(ch, '5');
    };
    // The survey finished while the recognizer had not answered yet.
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    const path = `${DIR}/autodialer-linked-${call.channelId}-addr-1.wav`;
    expect(asked).toEqual([{ path, lang: 'ru-RU', signal: expect.any(AbortSignal) }]);
    expect((await h.resultsOf(call.linkedId)).map((r) => [r.questionCrmId, r.recognizedText])).toEqual([
      ['addr', null],
      ['q2', null],
    ]);
    const before = (await h.resultsOf(call.linkedId))[0].changeTime;
    release({ ok: true, text: 'улица Ленина, 5' });
    const rows = await until(() => h.resultsOf(call.linkedId), (r) => r[0].recognizedText !== null);
    expect(rows[0]).toMatchObject({ result: '-', exten: path, recognizedText: 'улица Ленина, 5', recognizeLabel: 'Адрес' });
    // moved forward, so a client syncing GET /polling-results/{changeTime} sees the recognised text
    expect(rows[0].changeTime).toBeGreaterThanOrEqual(before);
  });

  it('a recognizer that never answers does not hold the call; it is given up (signal aborted), recognizedText stays empty', async () => {
    recordMs = () => 20;
    let signal: AbortSignal | undefined;
    recognizer = { configured: async () => true, recognize: (_p, _l, s) => ((signal = s), new Promise(() => {})) };
    const call = await h.start(poll({ needRecognize: 1, recognizeLabel: 'Адрес' }));
    customer(call.channelId);
    const t = Date.now();
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect(Date.now() - t).toBeLessThan(1000);
    await until(async () => signal?.aborted, (v) => v === true);
    expect(signal?.aborted).toBe(true);
    expect((await h.resultsOf(call.linkedId))[0]).toMatchObject({ recognizedText: null, recognizeLabel: null });
  });

  it('recognition that fails, or is not configured: the recording is kept, recognizedText stays empty', async () => {
    recordMs = () => 20;
    recognizer = { configured: async () => true, recognize: async () => ({ ok: false, message: 'HTTP 500' }) };
    const a = await h.start(poll({ needRecognize: 1 }));
    customer(a.channelId);
    expect(await a.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    let asked = false;
    recognizer = { configured: async () => false, recognize: async () => ((asked = true), { ok: true, text: 'x' }) };
    const b = await h.start(poll({ needRecognize: 1 }));
    customer(b.channelId);
    expect(await b.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    await new Promise((r) => setTimeout(r, 50));
    for (const c of [a, b]) expect((await h.resultsOf(c.linkedId))[0]).toMatchObject({ result: '-', recognizedText: null });
    expect((await h.resultsOf(b.linkedId))[0].exten).toMatch(/\.wav$/);
    expect(asked).toBe(false);
  });

  it('needRecognize=0: the recording is not sent to recognition', async () => {
    recordMs = () => 20;
    let asked = false;
    recognizer = { configured: async () => true, recognize: async () => ((asked = true), { ok: true, text: 'x' }) };
    const call = await h.start(poll({ needRecognize: 0 }));
    customer(call.channelId);
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    await new Promise((r) => setTimeout(r, 30));
    expect(asked).toBe(false);
  });

  it('hangup during the recording: FAIL_POLLING at once; what was recorded is stored and still recognised', async () => {
    recordMs = () => 'never';
    recognizer = { configured: async () => true, recognize: async () => ({ ok: true, text: 'алло' }) };
    const call = await h.start(poll({ needRecognize: 1, valueOptions: '600' }));
    h.fake.onPlay = (ch) => {
      if (ch === call.channelId && h.fake.played(ch).length === 1) h.fake.press(ch, '1');
    };
    h.fake.onRecord = (ch) => {
      if (ch !== call.channelId) return;
      h.fake.press(ch, '3');
      setTimeout(() => h.fake.hangupRemote(ch), 20);
    };
    const t = Date.now();
    expect(await call.outcome).toEqual({ result: 'FAIL_POLLING', reason: 'hangup' });
    expect(Date.now() - t).toBeLessThan(2000);
    const rows = await until(() => h.resultsOf(call.linkedId), (r) => r[0]?.recognizedText !== null);
    expect(rows.map((r) => [r.result, r.exten, r.recognizedText])).toEqual([['3', `${DIR}/autodialer-linked-${call.channelId}-addr-1.wav`, 'алло']]);
  });

  it('hangup during the prompt, before any recording: FAIL_POLLING, nothing stored', async () => {
    const call = await h.start(poll({}));
    h.fake.onPlay = (ch) => {
      if (ch !== call.channelId) return;
      if (h.fake.played(ch).length === 1) h.fake.press(ch, '1');
      else setTimeout(() => h.fake.hangupRemote(ch), 2);
    };
    h.fake.onRecord = undefined;
    expect(await call.outcome).toEqual({ result: 'FAIL_POLLING', reason: 'hangup' });
    expect(await h.resultsOf(call.linkedId)).toEqual([]);
    expect(h.fake.recordings.some((r) => r.channelId === call.channelId)).toBe(false);
  });
});
