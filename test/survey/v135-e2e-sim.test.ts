/**
 * The v1.35 survey actions end to end: POST /polling and POST /task through the API, the dialer originating
 * through ari-client to the ARI simulator, a playback_record answer recorded into the simulator's spool dir and
 * recognised by a fake recognizer, a confirmation read-back, and send_crm posting to a local fake CRM (the real
 * HTTP client) whose answer is spoken.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCrmClient } from '../../src/crm/index.js';
import type { CallSettings, SpeechRecognizer } from '../../src/ports.js';
import type { Tts } from '../../src/tts/index.js';
import type { Simulator } from '../../sim/index.js';
import { startFakeCrm, type FakeCrm } from '../fakes/crm.js';
import { api, pollingRowsOf, startSurveyWorld, waitForResults, type SurveyWorld } from './e2e-helpers.js';
import type { PollingDef } from './fixtures.js';

const SCALE = 0.1;
const spool = mkdtempSync(join(tmpdir(), 'v135-spool-'));
// as the service does at start: Asterisk does not create its recordings folder (see sim/recordings.ts)
mkdirSync(join(spool, 'recording'));
let w: SurveyWorld;
let sim: Simulator;
let env: SurveyWorld['env'];
let tts: Tts;
let app: SurveyWorld['app'];
let crm: FakeCrm;
/** media_uri of every PlaybackStarted, by channel id. */
const played = new Map<string, string[]>();
/** What the customer presses when the n-th prompt (1-based) starts on its call. */
let pressAt: Record<number, string> = {};
const recognised: string[] = [];

const recognizer: SpeechRecognizer = {
  configured: async () => true,
  recognize: async (path) => {
    // the file is there when Asterisk says the recording finished
    recognised.push(path);
    return statSync(path).size > 44 ? { ok: true, text: 'улица Ленина 5' } : { ok: false, message: 'empty recording' };
  },
};

function pressOnPrompt(e: unknown, s: Simulator) {
  const ev = e as { type: string; playback?: { media_uri: string; target_uri: string } };
  if (ev.type !== 'PlaybackStarted' || !ev.playback) return;
  const ch = ev.playback.target_uri.replace('channel:', '');
  const list = [...(played.get(ch) ?? []), ev.playback.media_uri];
  played.set(ch, list);
  const key = pressAt[list.length];
  if (key) setTimeout(() => s.world.pressDigits(ch, key), 20);
}

beforeAll(async () => {
  crm = await startFakeCrm();
  const settings: CallSettings & { crmLogin: string; crmPassword: string } = {
    defaultDialPrefix: '',
    callbackAlertText: '',
    crmUrl: crm.url,
    crmLogin: 'dialer',
    crmPassword: 'secret',
    crmResponseTemplate: '',
  };
  w = await startSurveyWorld({
    scale: SCALE,
    spoolDir: spool,
    onEvent: pressOnPrompt,
    extra: (e) => ({
      recognizer,
      crm: createCrmClient({ settings: { current: async () => settings }, log: e.log }),
      settings: { current: async () => settings },
      recordingsDir: join(spool, 'recording'),
    }),
  });
  ({ sim, env, tts, app } = w);
});

afterAll(async () => {
  await w?.close();
  await crm?.close();
  rmSync(spool, { recursive: true, force: true });
});

const POLLING: PollingDef = {
  name: 'v1.35 order status',
  questions: [
    {
      questionId: 'addr',
      questionText: 'Чтобы назвать адрес доставки, нажмите 1',
      press: [{ key: '1', action: 'playback_record', value: 'Назовите адрес и нажмите решётку', valueOptions: '10', needRecognize: 1, recognizeLabel: 'Адрес', nextQuestion: 'rate' }],
    },
    { questionId: 'rate', questionText: 'Оцените нас от 1 до 5', press: [{ key: '4', action: 'answer', value: 'четыре', nextQuestion: 'check' }] },
    {
      questionId: 'check',
      type: 'confirmation',
      questionText: 'Проверьте ваши ответы.',
      press: [{ key: '1', action: 'send_crm', crmResponseTemplate: 'Ваша заявка номер <result> принята' }],
    },
  ],
};

async function uriOf(text: string, perCall = false) {
  const r = await tts.synthesize(text, 'ru-RU', { perCall });
  if (!r.ok) throw new Error(r.message);
  return `sound:${r.wavPath.slice(0, -4)}`;
}

describe('v1.35 survey actions through the simulator', () => {
  it('playback_record + recognition, confirmation read-back, send_crm spoken answer: SUCCESS_POLLING', async () => {
    const p = await api(app, 'POST', '/polling', POLLING);
    expect(p.result).toBe(true);
    crm.body = { result: true, data: '4521' };
    // speaks 3 s and presses 7 7 # during the recording; keys at the questions come from pressAt
    sim.world.setCustomer('79522233461', { kind: 'answer', hangupAfterMs: 60_000, duringRecording: { talkMs: 3000, dtmf: [{ afterStartMs: 1000, digits: '77#' }] } });
    pressAt = { 1: '1', 3: '4', 4: '1' };
    const t = await api(app, 'POST', '/task', {
      name: 'v135',
      innerNum: String(p.data.id),
      innerNumType: 'polling',
      dialPrefix: '999',
      numbers: [{ number: '79522233461' }],
    });
    const [row] = await waitForResults(env.db, Number(t.data.id), 1, 20_000);
    expect(row).toMatchObject({ result: 'SUCCESS_POLLING', state: 'EVENT_POLLING_END' });

    const answers = await pollingRowsOf(env.db, Number(t.data.id));
    const name = `autodialer-${row.linkedId}-addr-1`;
    const path = join(spool, 'recording', `${name}.wav`);
    expect(answers.map((a) => [a.questionCrmId, a.result, a.exten, a.recognizedText, a.recognizeLabel])).toEqual([
      ['addr', '77', path, 'улица Ленина 5', 'Адрес'],
      ['rate', 'четыре', '4', null, null],
      ['check', '1', '1', null, null],
    ]);
    const wav = readFileSync(path);
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.length).toBeGreaterThan(44);
    expect(recognised).toContain(path);

    expect(played.get(row.callFile!)).toEqual([
      await uriOf('Чтобы назвать адрес доставки, нажмите 1'),
      await uriOf('Назовите адрес и нажмите решётку'),
      await uriOf('Оцените нас от 1 до 5'),
      await uriOf('Проверьте ваши ответы. Адрес: улица Ленина 5. rate: четыре.', true),
      await uriOf('Ваша заявка номер 4 5 2 1 принята', true),
    ]);

    const sent = crm.requests.at(-1)!;
    expect(sent.authorization).toBe(`Basic ${Buffer.from('dialer:secret').toString('base64')}`);
    expect(sent.json).toEqual({
      phone: '79522233461',
      linkedId: row.linkedId,
      pollingId: Number(p.data.id),
      results: [
        { questionId: 'addr', result: '77', exten: path, recognizedText: 'улица Ленина 5', recognizeLabel: 'Адрес' },
        { questionId: 'rate', result: 'четыре', exten: '4', recognizedText: null, recognizeLabel: null },
        { questionId: 'check', result: '1', exten: '1', recognizedText: null, recognizeLabel: null },
      ],
    });

    // GET /polling-results answers the recognised text (v1.35 fields)
    const synced = await api(app, 'GET', '/polling-results/0');
    expect(synced.data.results.find((r: any) => r.questionCrmId === 'addr' && r.linkedId === row.linkedId)).toMatchObject({
      result: '77',
      exten: path,
      recognizedText: 'улица Ленина 5',
      recognizeLabel: 'Адрес',
    });
  }, 30_000);

  it('the customer hangs up while answering: FAIL_POLLING, the recorded answer is kept and recognised', async () => {
    const p = await api(app, 'POST', '/polling', { ...POLLING, name: 'hangs up' });
    // answers 1 s after the key, speaks, and hangs up 3 s into the recording
    sim.world.setCustomer('79522233462', { kind: 'answer', hangupAfterMs: 60_000, duringRecording: { talkMs: 10_000 } });
    pressAt = { 1: '1' };
    const hangUpDuringRecording = sim.world.onEvent((e) => {
      const ev = e as { type: string; recording?: { target_uri: string } };
      if (ev.type === 'RecordingStarted' && ev.recording) setTimeout(() => sim.world.hangupFarEnd(ev.recording!.target_uri.replace('channel:', '')), 3000 * SCALE);
    });
    const t = await api(app, 'POST', '/task', { name: 'v135-hangup', innerNum: String(p.data.id), innerNumType: 'polling', dialPrefix: '999', numbers: ['79522233462'] });
    const [row] = await waitForResults(env.db, Number(t.data.id), 1, 20_000);
    hangUpDuringRecording();
    expect(row.result).toBe('FAIL_POLLING');
    const path = join(spool, 'recording', `autodialer-${row.linkedId}-addr-1.wav`);
    const until = Date.now() + 3000;
    let answers = await pollingRowsOf(env.db, Number(t.data.id));
    while (answers[0]?.recognizedText == null && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
      answers = await pollingRowsOf(env.db, Number(t.data.id));
    }
    expect(answers.map((a) => [a.questionCrmId, a.result, a.exten, a.recognizedText])).toEqual([['addr', '-', path, 'улица Ленина 5']]);
    expect(statSync(path).size).toBeGreaterThanOrEqual(44 + 2 * 16000); // about 3 s of silence
    expect(statSync(path).size).toBeLessThanOrEqual(44 + 4 * 16000);
  }, 30_000);
});
