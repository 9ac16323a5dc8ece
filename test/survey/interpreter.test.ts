import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pcmToWav } from '../../src/media/wav.js';
import { startFakeSpeechKit, type FakeSpeechKit } from '../fakes/speechkit.js';
import { SEED_POLLING, type PollingDef } from './fixtures.js';
import { surveyHarness } from './harness.js';

let speechkit: FakeSpeechKit;
let h: Awaited<ReturnType<typeof surveyHarness>>;
beforeAll(async () => {
  speechkit = await startFakeSpeechKit();
  h = await surveyHarness(speechkit);
});
afterAll(async () => {
  await speechkit.close();
  await h.env.cleanup();
});
beforeEach(() => {
  h.fake.onPlay = undefined;
});

const QUESTION = SEED_POLLING.questions[0].questionText!;

describe("the seed's example polling", () => {
  it('customer presses 1 during the question: prompt stops, thanks are played, SUCCESS_POLLING, one result', async () => {
    const t0 = Date.now() / 1000;
    const call = await h.start(SEED_POLLING);
    h.fake.onPlay = (ch) => {
      if (ch === call.channelId && h.fake.played(ch).length === 1) h.fake.press(ch, '1');
    };
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect(h.fake.played(call.channelId)).toEqual([await h.ttsUri(QUESTION), await h.ttsUri('"Спасибо за выбор этого товара"')]);
    expect(h.fake.commands.filter((c) => c.op === 'stopPlayback')).toHaveLength(1); // barge-in stopped the question
    const rows = await h.resultsOf(call.linkedId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      taskId: 1000000001,
      pollingId: call.pollingId,
      questionCrmId: '1',
      phone: '79522233446',
      phoneId: '9522233446',
      result: '1',
      exten: '1',
      linkedId: call.linkedId,
      verboseCallId: '[C-00000001]',
    });
    // changeTime is float unix seconds, as the original's microtime(true).
    expect(rows[0].changeTime).toBeGreaterThanOrEqual(t0);
    expect(rows[0].changeTime).toBeLessThanOrEqual(Date.now() / 1000);
  });

  it('a key pressed right after the answer, before the survey listens, still answers the first question', async () => {
    const call = await h.start(SEED_POLLING, {}, '1');
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect((await h.resultsOf(call.linkedId)).map((r) => r.exten)).toEqual(['1']);
  });

  it('customer presses nothing: the question is replayed 3 times, then FAIL_POLLING, no results', async () => {
    const call = await h.start(SEED_POLLING);
    expect(await call.outcome).toEqual({ result: 'FAIL_POLLING', reason: 'no-input' });
    expect(h.fake.played(call.channelId)).toEqual(Array(4).fill(await h.ttsUri(QUESTION)));
    expect(await h.resultsOf(call.linkedId)).toEqual([]);
  });

  it('a key with no action replays the question; the right key then counts', async () => {
    const call = await h.start(SEED_POLLING);
    h.fake.onPlay = (ch) => {
      const n = h.fake.played(ch).length;
      if (n === 1) h.fake.press(ch, '7');
      if (n === 2) h.fake.press(ch, '3');
    };
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect((await h.resultsOf(call.linkedId)).map((r) => r.exten)).toEqual(['3']);
    expect(h.fake.played(call.channelId).at(-1)).toBe(await h.ttsUri('"Спасибо за ваш ответ"'));
  });

  it('customer hangs up mid-question: FAIL_POLLING at once', async () => {
    const call = await h.start(SEED_POLLING);
    h.fake.onPlay = (ch) => setTimeout(() => h.fake.hangupRemote(ch), 5);
    const t = Date.now();
    expect(await call.outcome).toEqual({ result: 'FAIL_POLLING', reason: 'hangup' });
    expect(Date.now() - t).toBeLessThan(1000);
    expect(await h.resultsOf(call.linkedId)).toEqual([]);
  });

  /**
   * What Asterisk 22 sends when the customer hangs up during a playback (observed.md F6, and seen by
   * test/asterisk/survey.test.ts): ChannelHangupRequest and PlaybackFinished(state=failed) first, StasisEnd and
   * ChannelDestroyed in later WebSocket messages. The survey must not take the failed playback for a finished one.
   */
  function hangUpLikeAsterisk(ch: string, uri: string, playbackId: string) {
    const channel = { id: ch, name: `Local/${ch}`, state: 'Up' };
    h.fake.emit({ type: 'ChannelHangupRequest', channel, cause: 16 });
    h.fake.emit({ type: 'PlaybackFinished', playback: { id: playbackId, media_uri: uri, target_uri: `channel:${ch}`, state: 'failed' } });
    setTimeout(() => h.fake.hangupRemote(ch), 20);
  }

  it('customer hangs up during the closing playback action: FAIL_POLLING (not SUCCESS), the answer stays', async () => {
    const call = await h.start(SEED_POLLING);
    h.fake.onPlay = (ch, uri, playbackId) => {
      const n = h.fake.played(ch).length;
      if (n === 1) h.fake.press(ch, '1');
      if (n === 2) hangUpLikeAsterisk(ch, uri, playbackId);
    };
    expect(await call.outcome).toEqual({ result: 'FAIL_POLLING', reason: 'hangup' });
    expect((await h.resultsOf(call.linkedId)).map((r) => [r.result, r.exten])).toEqual([['1', '1']]);
    // reported once the channel is gone, so the dialer can record the hangup cause that comes with it
    expect(call.session.ended).toMatchObject({ cause: 16, by: 'remote' });
  });

  it('a last answer pressed just before the hangup completes the survey, even when handled after it', async () => {
    const LAST_ANSWER: PollingDef = {
      name: 'last answer',
      questions: [{ questionId: 'q', questionText: 'Press 9', press: [{ key: '9', action: 'answer', value: 'nine' }] }],
    };
    const call = await h.start(LAST_ANSWER);
    h.fake.onPlay = (ch) => {
      // the key and the hangup arrive together, as from a quick caller while the dialer is busy
      h.fake.press(ch, '9');
      h.fake.emit({ type: 'ChannelHangupRequest', channel: { id: ch, name: `Local/${ch}`, state: 'Up' }, cause: 16 });
      setTimeout(() => h.fake.hangupRemote(ch), 20);
    };
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect((await h.resultsOf(call.linkedId)).map((r) => [r.result, r.exten])).toEqual([['nine', '9']]);
  });

  it('customer hangs up during a question prompt: FAIL_POLLING as soon as Asterisk asks to hang up', async () => {
    const call = await h.start(SEED_POLLING);
    h.fake.onPlay = (ch, uri, playbackId) => {
      const channel = { id: ch, name: `Local/${ch}`, state: 'Up' };
      h.fake.emit({ type: 'ChannelHangupRequest', channel, cause: 16 });
      h.fake.emit({ type: 'PlaybackFinished', playback: { id: playbackId, media_uri: uri, target_uri: `channel:${ch}`, state: 'failed' } });
      // StasisEnd / ChannelDestroyed much later: the survey does not wait for them to give up
      setTimeout(() => h.fake.hangupRemote(ch), 2000);
    };
    const t = Date.now();
    expect(await call.outcome).toEqual({ result: 'FAIL_POLLING', reason: 'hangup' });
    expect(Date.now() - t).toBeLessThan(1000);
    expect(h.fake.played(call.channelId)).toHaveLength(1);
  });

  it('customer hangs up while waiting for a key after the prompt', async () => {
    const call = await h.start(SEED_POLLING);
    h.fake.onPlay = (ch) => setTimeout(() => h.fake.hangupRemote(ch), 60);
    expect(await call.outcome).toEqual({ result: 'FAIL_POLLING', reason: 'hangup' });
  });
});

const BRANCHING: PollingDef = {
  questions: [
    {
      questionId: 'q1',
      questionText: 'Вы довольны? 1 да, 2 нет',
      press: [
        { key: '1', action: 'answer', value: 'yes', nextQuestion: 'q3' },
        { key: '2', action: 'answer', value: 'no' },
      ],
      nextQuestion: 'q2',
    },
    { questionId: 'q2', questionText: 'Что не так? 1 цена, 2 качество', press: [{ key: '1', action: 'answer', value: 'price' }], nextQuestion: 'q3' },
    {
      questionId: 'q3',
      questionText: 'Соединить с оператором? 1 да, 9 начать сначала',
      press: [
        { key: '1', action: 'dial', value: '201' },
        { key: '9', action: 'restart', value: 'again' },
        { key: '5', action: 'answer', value: '' },
      ],
    },
  ],
};

/** A customer who answers each prompt with the next of `keys` (by prompt index). */
function customer(keys: (string | undefined)[]) {
  h.fake.onPlay = (ch) => {
    const k = keys[h.fake.played(ch).length - 1];
    if (k) h.fake.press(ch, k);
  };
}

describe('branching and actions', () => {
  it('follows the press nextQuestion over the question nextQuestion', async () => {
    customer(['1', '5']);
    const call = await h.start(BRANCHING);
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect((await h.resultsOf(call.linkedId)).map((r) => [r.questionCrmId, r.result, r.exten])).toEqual([
      ['q1', 'yes', '1'],
      ['q3', '-', '5'],
    ]);
  });

  it("falls back to the question's nextQuestion, then ends with a dial to the extension", async () => {
    customer(['2', '1', '1']);
    const call = await h.start(BRANCHING);
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING', dial: '201' });
    expect((await h.resultsOf(call.linkedId)).map((r) => [r.questionCrmId, r.result])).toEqual([
      ['q1', 'no'],
      ['q2', 'price'],
      ['q3', '201'],
    ]);
  });

  it('restart goes back to the first question and keeps the earlier answers as history', async () => {
    customer(['1', '9', '1', '5']);
    const call = await h.start(BRANCHING);
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect((await h.resultsOf(call.linkedId)).map((r) => [r.questionCrmId, r.result])).toEqual([
      ['q1', 'yes'],
      ['q3', 'again'],
      ['q1', 'yes'],
      ['q3', '-'],
    ]);
  });

  it('counts replays per question, unlike the original (which cut long surveys short)', async () => {
    const long: PollingDef = {
      questions: ['a', 'b', 'c', 'd'].map((id, i, all) => ({
        questionId: id,
        questionText: `Вопрос ${id}`,
        press: [{ key: '1', action: 'answer', value: id }],
        nextQuestion: all[i + 1] ?? '',
      })),
    };
    // Each question is answered only on its third playing.
    customer([undefined, undefined, '1', undefined, undefined, '1', undefined, undefined, '1', undefined, undefined, '1']);
    const call = await h.start(long);
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect((await h.resultsOf(call.linkedId)).map((r) => r.result)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('takes defPress on timeout, and presses it at once on a question with nothing to play', async () => {
    const def: PollingDef = {
      questions: [
        { questionId: '1', questionText: 'Молчание — знак согласия', defPress: '1', press: [{ key: '1', action: 'answer', value: 'agreed', nextQuestion: '2' }] },
        { questionId: '2', defPress: '4', press: [{ key: '4', action: 'answer', value: 'auto' }] },
      ],
    };
    const call = await h.start(def);
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect((await h.resultsOf(call.linkedId)).map((r) => [r.result, r.exten])).toEqual([
      ['agreed', '1'],
      ['auto', '4'],
    ]);
    expect(h.fake.played(call.channelId)).toHaveLength(1);
  });

  it('a key pressed before the prompt starts (type-ahead) is not lost', async () => {
    const call = await h.start(SEED_POLLING);
    h.fake.press(call.channelId, '3');
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect((await h.resultsOf(call.linkedId)).map((r) => r.exten)).toEqual(['3']);
  });
});

describe('prompts', () => {
  it('fills per-number params into the text, spelling digit-only values, and voices it at call time', async () => {
    const def: PollingDef = {
      questions: [{ questionId: '1', questionText: 'Здравствуйте, <NAME>! Договор <CONTRACT>, сумма <SUM>.', press: [{ key: '1', action: 'answer', value: 'ok' }] }],
    };
    customer(['1']);
    const call = await h.start(def, { params: { NAME: 'Иван', CONTRACT: '4521', SUM: 'ДЕВЯТЬ' } });
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect(speechkit.requests.at(-1)!.form.text).toBe('Здравствуйте, Иван! Договор 4 5 2 1, сумма ДЕВЯТЬ.');
    const uri = await h.ttsUri('Здравствуйте, Иван! Договор 4 5 2 1, сумма ДЕВЯТЬ.', 'ru-RU', true);
    expect(h.fake.played(call.channelId)[0]).toBe(uri);
    // Made for one number: kept apart from the polling's own prompts, and removed after a day.
    expect(uri.startsWith(`sound:${h.tts.cacheDir}/calls/`)).toBe(true);
  });

  it('plays an uploaded file as sound:<absolute path without extension>, and a playback file value', async () => {
    const file = join(h.env.dir, 'question.wav');
    writeFileSync(file, pcmToWav(Buffer.alloc(1600)));
    const thanks = join(h.env.dir, 'thanks.wav');
    writeFileSync(thanks, pcmToWav(Buffer.alloc(1600)));
    const def: PollingDef = {
      questions: [{ questionId: '1', questionFile: join(h.env.dir, 'question.mp3'), questionText: 'не используется', press: [{ key: '1', action: 'playback', value: thanks, valueOptions: 'file' }] }],
    };
    customer(['1']);
    const call = await h.start(def);
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect(h.fake.played(call.channelId)).toEqual([`sound:${join(h.env.dir, 'question')}`, `sound:${join(h.env.dir, 'thanks')}`]);
  });

  it('a missing question file falls back to the text', async () => {
    const def: PollingDef = { questions: [{ questionId: '1', questionFile: '/nowhere/q.wav', questionText: 'Запасной текст', press: [{ key: '1', action: 'answer' }] }] };
    customer(['1']);
    const call = await h.start(def);
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect(h.fake.played(call.channelId)).toEqual([await h.ttsUri('Запасной текст')]);
  });
});

describe('prompts that cannot play never block the call', () => {
  it('PlaybackFinished state=failed: the survey goes on to wait for a key', async () => {
    const hf = await surveyHarness(speechkit, { mediaMs: () => 'failed' });
    const call = await hf.start(SEED_POLLING);
    hf.fake.onPlay = (ch) => {
      if (hf.fake.played(ch).length === 1) setTimeout(() => hf.fake.press(ch, '1'), 20);
    };
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect(await hf.resultsOf(call.linkedId)).toHaveLength(1);
    await hf.env.cleanup();
  });

  it('no PlaybackFinished at all: the wait ends after the prompt length plus a margin', async () => {
    const hn = await surveyHarness(speechkit, { mediaMs: () => 'never' });
    const call = await hn.start(SEED_POLLING);
    expect(await call.outcome).toEqual({ result: 'FAIL_POLLING', reason: 'no-input' });
    expect(hn.fake.commands.filter((c) => c.op === 'stopPlayback').length).toBe(4);
    await hn.env.cleanup();
  });

  it('without YANDEX_API_KEY text prompts play a beep', async () => {
    const hb = await surveyHarness(undefined);
    const call = await hb.start(SEED_POLLING);
    hb.fake.onPlay = (ch) => {
      if (hb.fake.played(ch).length === 1) hb.fake.press(ch, '1');
    };
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
    expect(hb.fake.played(call.channelId)).toEqual(['sound:beep', 'sound:beep']);
    await hb.env.cleanup();
  });
});

describe('stored polling problems', () => {
  it('an unknown polling or one without questions is FAIL_POLLING with the reason', async () => {
    expect(await (await h.start(999999)).outcome).toEqual({ result: 'FAIL_POLLING', reason: 'unknown-polling' });
    expect(await (await h.start({ questions: [] })).outcome).toEqual({ result: 'FAIL_POLLING', reason: 'no-questions' });
  });

  it('a nextQuestion naming no question ends the survey successfully', async () => {
    customer(['1']);
    const call = await h.start({ questions: [{ questionId: '1', questionText: 'Вопрос', press: [{ key: '1', action: 'answer', value: 'x', nextQuestion: 'missing' }] }] });
    expect(await call.outcome).toEqual({ result: 'SUCCESS_POLLING' });
  });
});
