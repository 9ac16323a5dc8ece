/**
 * The seed's example polling end to end: POST /polling and POST /task through the API, the dialer
 * originating through ari-client to the ARI simulator, the survey running on the answered channel with
 * prompts voiced by the fake SpeechKit, and results read back from the database.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledFfmpegPath } from '../../src/media/ffmpeg.js';
import type { Tts } from '../../src/tts/index.js';
import type { Simulator } from '../../sim/index.js';
import { api, pollingRowsOf, startSurveyWorld, waitForResults, type SurveyWorld } from './e2e-helpers.js';
import { SEED_POLLING, type PollingDef } from './fixtures.js';

/** Both sides run 10× faster than real time: a 5 s question timeout lasts 500 ms. */
const SCALE = 0.1;
let w: SurveyWorld;
let sim: Simulator;
let speechkit: SurveyWorld['speechkit'];
let env: SurveyWorld['env'];
let tts: Tts;
let app: SurveyWorld['app'];
/** media_uri of every PlaybackStarted, by channel id. */
const played = new Map<string, string[]>();
const bridged = new Map<string, string[]>();
/** Real ms from PlaybackStarted to PlaybackFinished of each playback, by channel id. */
const finishedAfterMs = new Map<string, number[]>();
const startedAt = new Map<string, number>();

function watch(e: unknown) {
  const ev = e as { type: string; playback?: { media_uri: string; target_uri: string }; bridge?: { id: string }; channel?: { id: string } };
  if (ev.type === 'PlaybackStarted' && ev.playback) {
    const ch = ev.playback.target_uri.replace('channel:', '');
    played.set(ch, [...(played.get(ch) ?? []), ev.playback.media_uri]);
  }
  if (ev.type === 'PlaybackStarted' && ev.playback) startedAt.set((ev.playback as { id?: string }).id ?? '', Date.now());
  if (ev.type === 'PlaybackFinished' && ev.playback) {
    const ch = ev.playback.target_uri.replace('channel:', '');
    const t0 = startedAt.get((ev.playback as { id?: string }).id ?? '') ?? Date.now();
    finishedAfterMs.set(ch, [...(finishedAfterMs.get(ch) ?? []), Date.now() - t0]);
  }
  if (ev.type === 'ChannelEnteredBridge' && ev.bridge && ev.channel) {
    bridged.set(ev.bridge.id, [...new Set([...(bridged.get(ev.bridge.id) ?? []), ev.channel.id])]);
  }
}

beforeAll(async () => {
  w = await startSurveyWorld({ scale: SCALE, onEvent: watch });
  ({ sim, speechkit, env, tts, app } = w);
  // The very first call pays for loading and connecting (~200 ms real); the recorded customers press keys
  // at fixed times after answering, so warm the path up with one call that answers and hangs up.
  const warm = await pollingTask(['79000000005']);
  await waitForResults(env.db, warm.taskId, 1);
});

afterAll(async () => {
  await w?.close();
});

/** The seed's curl examples: the polling, then a polling task with dialPrefix 999 for these numbers. */
async function pollingTask(numbers: (string | { number: string; params: Record<string, unknown> })[], polling: PollingDef = SEED_POLLING) {
  const p = await api(app, 'POST', '/polling', polling);
  expect(p.result).toBe(true);
  const t = await api(app, 'POST', '/task', {
    name: 'New pollingtask',
    state: 0,
    innerNum: String(p.data.id),
    innerNumType: 'polling',
    maxCountChannels: numbers.length,
    dialPrefix: '999',
    numbers: numbers.map((n) => (typeof n === 'string' ? { number: n } : n)),
  });
  expect(t.result).toBe(true);
  return { taskId: Number(t.data.id), pollingId: Number(p.data.id) };
}

async function uriOf(text: string, perCall = false) {
  const r = await tts.synthesize(text, 'ru-RU', { perCall });
  if (!r.ok) throw new Error(r.message);
  return `sound:${r.wavPath.slice(0, -4)}`;
}

const QUESTION = SEED_POLLING.questions[0].questionText!;

describe("the seed's example polling through the simulator", () => {
  it('customer presses 1 (recorded customer …1): thanks played, SUCCESS_POLLING, one polling result with exten 1', async () => {
    const { taskId, pollingId } = await pollingTask(['79522233441']);
    const [row] = await waitForResults(env.db, taskId, 1);
    expect(row).toMatchObject({ result: 'SUCCESS_POLLING', state: 'EVENT_POLLING_END', phone: '79522233441' });
    const answers = await pollingRowsOf(env.db, taskId);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ taskId, pollingId, questionCrmId: '1', phone: '79522233441', phoneId: '9522233441', result: '1', exten: '1' });
    expect(answers[0].linkedId).toBe(row.linkedId);
    expect(answers[0].linkedId).toBeTruthy();
    expect(played.get(row.callFile!)).toEqual([await uriOf(QUESTION), await uriOf('Спасибо за выбор этого товара')]);
    // Both prompts were voiced when the polling was saved; the call made no SpeechKit request.
    expect(speechkit.requests.filter((r) => r.form.text === QUESTION)).toHaveLength(1);
  });

  it('customer presses nothing: the question is replayed, then FAIL_POLLING', async () => {
    sim.world.setCustomer('79522233440', { kind: 'answer', hangupAfterMs: 600_000 });
    const { taskId } = await pollingTask(['79522233440']);
    const [row] = await waitForResults(env.db, taskId, 1);
    expect(row.result).toBe('FAIL_POLLING');
    expect(played.get(row.callFile!)).toEqual(Array(4).fill(await uriOf(QUESTION)));
    expect(await pollingRowsOf(env.db, taskId)).toEqual([]);
  });

  it('customer hangs up in the middle of the question: FAIL_POLLING', async () => {
    sim.world.setCustomer('79522233445', { kind: 'answer', hangupAfterMs: 1000 });
    const { taskId } = await pollingTask(['79522233445']);
    const [row] = await waitForResults(env.db, taskId, 1);
    expect(row.result).toBe('FAIL_POLLING');
    expect(played.get(row.callFile!)).toEqual([await uriOf(QUESTION)]);
    expect(await pollingRowsOf(env.db, taskId)).toEqual([]);
  });
});

describe('multi-question pollings through the simulator', () => {
  it('branches by nextQuestion (recorded customer …6 presses 3, then 9)', async () => {
    const polling: PollingDef = {
      name: 'branching',
      questions: [
        {
          questionId: 'q1',
          questionText: 'Оцените нас: 3 хорошо, 1 плохо',
          press: [
            { key: '3', action: 'answer', value: 'good', nextQuestion: 'q3' },
            { key: '1', action: 'answer', value: 'bad' },
          ],
          nextQuestion: 'q2',
        },
        { questionId: 'q2', questionText: 'Что было плохо?', press: [{ key: '9', action: 'answer', value: 'all' }] },
        { questionId: 'q3', questionText: 'Порекомендуете нас? 9 да', press: [{ key: '9', action: 'answer', value: 'yes' }] },
      ],
    };
    const { taskId } = await pollingTask(['79522233446'], polling);
    const [row] = await waitForResults(env.db, taskId, 1);
    expect(row.result).toBe('SUCCESS_POLLING');
    expect((await pollingRowsOf(env.db, taskId)).map((r) => [r.questionCrmId, r.result, r.exten])).toEqual([
      ['q1', 'good', '3'],
      ['q3', 'yes', '9'],
    ]);
  });

  it('dial action: SUCCESS_POLLING, then the customer is bridged with agent 201', async () => {
    sim.world.setCustomer('79522233447', { kind: 'answer', dtmf: [{ afterAnswerMs: 500, digits: '0' }], hangupAfterMs: 20_000 });
    const polling: PollingDef = {
      name: 'to operator',
      questions: [{ questionId: '1', questionText: 'Для связи с оператором нажмите 0', press: [{ key: '0', action: 'dial', value: '201' }] }],
    };
    const { taskId } = await pollingTask(['79522233447'], polling);
    const [row] = await waitForResults(env.db, taskId, 1);
    expect(row).toMatchObject({ result: 'SUCCESS_POLLING', state: 'EVENT_POLLING_END' });
    expect((await pollingRowsOf(env.db, taskId)).map((r) => [r.result, r.exten])).toEqual([['201', '0']]);
    // The result is recorded before the agent is connected; wait for the bridge.
    const until = Date.now() + 5000;
    let bridge: string[] | undefined;
    while (Date.now() < until && !bridge) {
      bridge = [...bridged.values()].find((chs) => chs.includes(row.callFile!) && chs.length === 2);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(bridge).toEqual([row.callFile, `${row.callFile}-agent`]);
  });
});

describe('prompts through the simulator', () => {
  it('a key during the question stops it (barge-in) and counts', async () => {
    const long = `${'Пожалуйста, выслушайте внимательно этот довольно длинный вопрос. '.repeat(4)}Нажмите 3.`;
    const polling: PollingDef = { name: 'barge-in', questions: [{ questionId: '1', questionText: long, press: [{ key: '3', action: 'answer', value: 'three' }] }] };
    sim.world.setCustomer('79522233451', { kind: 'answer', dtmf: [{ afterAnswerMs: 500, digits: '3' }], hangupAfterMs: 30_000 });
    const { taskId } = await pollingTask(['79522233451'], polling);
    const [row] = await waitForResults(env.db, taskId, 1);
    expect(row.result).toBe('SUCCESS_POLLING');
    expect((await pollingRowsOf(env.db, taskId)).map((r) => [r.result, r.exten])).toEqual([['three', '3']]);
    expect(played.get(row.callFile!)).toEqual([await uriOf(long)]);
    // The 2 s question was stopped by the key, long before its end.
    expect(finishedAfterMs.get(row.callFile!)?.[0]).toBeLessThan(2000 * SCALE);
  });

  it('an uploaded mp3 is played as the question; a missing file does not stall the call', async () => {
    const mp3 = join(env.dir, 'question.mp3');
    execFileSync(bundledFfmpegPath(), ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=600:duration=1', '-ar', '44100', '-ac', '2', mp3]);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(readFileSync(mp3))]), 'question.mp3');
    const up = (await (await app.request('/pbxcore/api/module-dialer/v1/audio', { method: 'POST', body: form }, { incoming: { socket: { remoteAddress: '127.0.0.1' } } })).json()) as {
      data: { filename: string };
    };
    const polling: PollingDef = {
      name: 'files',
      questions: [
        { questionId: '1', questionFile: up.data.filename, press: [{ key: '1', action: 'playback', value: '/nowhere/thanks.wav', valueOptions: 'file', nextQuestion: '2' }] },
        { questionId: '2', questionText: 'Последний вопрос', press: [{ key: '1', action: 'answer', value: 'done' }] },
      ],
    };
    sim.world.setCustomer('79522233452', {
      kind: 'answer',
      dtmf: [
        { afterAnswerMs: 1500, digits: '1' },
        { afterAnswerMs: 3500, digits: '1' },
      ],
      hangupAfterMs: 30_000,
    });
    const { taskId } = await pollingTask(['79522233452'], polling);
    const [row] = await waitForResults(env.db, taskId, 1);
    expect(row.result).toBe('SUCCESS_POLLING');
    expect(played.get(row.callFile!)?.[0]).toBe(`sound:${up.data.filename.replace(/\.wav$/, '')}`);
    expect((await pollingRowsOf(env.db, taskId)).map((r) => [r.questionCrmId, r.result])).toEqual([
      ['1', '1'],
      ['2', 'done'],
    ]);
  });

  it("fills the number's params into the question at call time", async () => {
    sim.world.setCustomer('79522233453', { kind: 'answer', dtmf: [{ afterAnswerMs: 4000, digits: '1' }], hangupAfterMs: 30_000 });
    const polling: PollingDef = {
      name: 'debt',
      questions: [{ questionId: '1', questionText: '<NAME>, по договору <CONTRACT> долг <SUM> рублей. Нажмите 1', press: [{ key: '1', action: 'answer', value: 'heard' }] }],
    };
    const { taskId } = await pollingTask([{ number: '79522233453', params: { NAME: 'Иван', CONTRACT: '4521', SUM: 'ДЕВЯТЬСОТ' } }], polling);
    const [row] = await waitForResults(env.db, taskId, 1);
    expect(row.result).toBe('SUCCESS_POLLING');
    const text = 'Иван, по договору 4 5 2 1 долг ДЕВЯТЬСОТ рублей. Нажмите 1';
    expect(speechkit.requests.map((r) => r.form.text)).toContain(text);
    expect(played.get(row.callFile!)?.[0]).toBe(await uriOf(text, true));
  });
});
