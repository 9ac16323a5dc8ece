/**
 * Inbound polls end to end: clients and inbound numbers set through the API, a caller dialling in through the
 * ARI simulator (a channel entering the app as Stasis(app,inbound,<exten>) with a caller id), the real
 * ari-client, the survey engine with prompts voiced by the fake SpeechKit, answers read back via the API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { createClock } from '../../src/clock.js';
import { createFfmpegConverter } from '../../src/media/ffmpeg.js';
import { createTts, type Tts } from '../../src/tts/index.js';
import { startSimulator, type InboundCallSpec, type InboundRecord, type Simulator } from '../../sim/index.js';
import { connectAri } from '../../stasis/ari/ari-client-port.js';
import type { AriPort } from '../../stasis/ari/port.js';
import { createDialer, type Dialer } from '../../stasis/dialer/index.js';
import { createInbound, type Inbound } from '../../stasis/inbound/index.js';
import { createSurveyRunner } from '../../stasis/survey/index.js';
import { FAKE_API_KEY, startFakeSpeechKit, type FakeSpeechKit } from '../fakes/speechkit.js';
import { freshEnv } from '../helpers/env.js';
import { api } from '../survey/e2e-helpers.js';

/** Both sides 10× faster than real time: a 5 s question timeout lasts 500 ms. */
const SCALE = 0.1;
let sim: Simulator;
let speechkit: FakeSpeechKit;
let env: Awaited<ReturnType<typeof freshEnv>>;
let ari: AriPort;
let tts: Tts;
let inbound: Inbound;
let dialer: Dialer;
let app: ReturnType<typeof createApp>;
let okPolling: number;
let failPolling: number;
/** media_uri of every PlaybackStarted, by channel id. */
const played = new Map<string, string[]>();

const OK_TEXT = 'Здравствуйте, <NAME>! По счёту <ACCOUNT_1> долг. Нажмите 1';
const FAIL_TEXT = 'Вы не наш клиент. Нажмите 2';

beforeAll(async () => {
  sim = await startSimulator({ timeScale: SCALE });
  sim.world.onEvent((e) => {
    const ev = e as { type: string; playback?: { media_uri: string; target_uri: string } };
    if (ev.type !== 'PlaybackStarted' || !ev.playback) return;
    const ch = ev.playback.target_uri.replace('channel:', '');
    played.set(ch, [...(played.get(ch) ?? []), ev.playback.media_uri]);
  });
  speechkit = await startFakeSpeechKit();
  env = await freshEnv({ YANDEX_API_KEY: FAKE_API_KEY, YANDEX_TTS_URL: speechkit.url, DIALER_TIME_SCALE: String(SCALE), ARI_URL: sim.url });
  ari = await connectAri({ url: sim.url, username: sim.username, password: sim.password, app: env.config.ari.app, log: env.log });
  tts = createTts(env.config.tts, env.dir, env.log);
  const clock = createClock(SCALE);
  const runSurvey = createSurveyRunner({ db: env.db, log: env.log, clock, tts });
  // Wired as stasis/main.ts wires them.
  inbound = createInbound({ db: env.db, log: env.log, ari, clock, runSurvey, internalContext: env.config.dialing.internalContext });
  dialer = createDialer({ config: env.config, db: env.db, log: env.log, ari: inbound.hideFrom(ari), clock, runSurvey, simulator: true });
  app = createApp({ config: env.config, db: env.db, log: env.log, dialer, audio: createFfmpegConverter({ log: env.log }), prompts: tts.preparer });
  inbound.start();
  await dialer.start();

  const ok = await api(app, 'POST', '/polling', {
    crmId: 'inbound-ok',
    questions: [{ questionId: 'q1', questionText: OK_TEXT, press: [{ key: '1', action: 'answer', value: 'will pay' }] }],
  });
  const fail = await api(app, 'POST', '/polling', {
    crmId: 'inbound-fail',
    questions: [{ questionId: 'f1', questionText: FAIL_TEXT, press: [{ key: '2', action: 'answer', value: 'stranger' }] }],
  });
  okPolling = Number(ok.data.id);
  failPolling = Number(fail.data.id);
  const clients = await api(app, 'POST', '/client', [
    { crmId: 'crm-77', name: 'Иван', phones: ['8 (952) 223-34-41'], properties: [{ key: 'ACCOUNT_1', value: '4521' }] },
  ]);
  expect(clients.result).toBe(true);
  const put = await api(app, 'PUT', '/inbound/700', { okPollingId: okPolling, failPollingId: failPolling });
  expect(put.result).toBe(true);
});

afterAll(async () => {
  await inbound?.stop(1000);
  await dialer?.stop();
  await ari?.close();
  await sim?.stop();
  await speechkit?.close();
  await env?.cleanup();
});

/**
 * Places an inbound call and waits (bounded) until the simulator says it is over. `pressWhenPrompted`: the caller
 * presses these keys once the first prompt starts (a key pressed before it would count as type-ahead and skip it).
 */
async function callIn(spec: Omit<InboundCallSpec, 'app'> & { pressWhenPrompted?: string }, ms = 10_000): Promise<InboundRecord> {
  const rec = sim.world.inboundCall({ app: env.config.ari.app, ...spec });
  const until = Date.now() + ms;
  if (spec.pressWhenPrompted) {
    while (!played.get(rec.channelId) && rec.endedAt === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    if (rec.endedAt === undefined) sim.world.pressDigits(rec.channelId, spec.pressWhenPrompted);
  }
  while (rec.endedAt === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(rec.endedAt, 'the inbound call ended').toBeDefined();
  return rec;
}

async function answersOf(channelId: string) {
  const r = await api(app, 'GET', '/polling-results/0');
  return (r.data.results as Record<string, unknown>[]).filter((row) => row.linkedId === channelId);
}

async function uriOf(text: string, perCall: boolean) {
  const r = await tts.synthesize(text, 'ru-RU', { perCall });
  if (!r.ok) throw new Error(r.message);
  return `sound:${r.wavPath.slice(0, -4)}`;
}

describe('inbound polls through the simulator', () => {
  it('a known caller gets the OK polling with its properties filled in; the answer is stored with taskId -1', async () => {
    const rec = await callIn({ from: '+79522233441', exten: '700', pressWhenPrompted: '1' });
    expect(rec.answeredAt).toBeDefined();
    expect(rec.endedBy).toBe('app');
    const filled = 'Здравствуйте, Иван! По счёту 4 5 2 1 долг. Нажмите 1';
    expect(speechkit.requests.some((r) => r.form.text === filled)).toBe(true);
    expect(played.get(rec.channelId)).toEqual([await uriOf(filled, true)]);
    const rows = await answersOf(rec.channelId);
    expect(rows).toHaveLength(1);
    // String() either way: v1 answers are being switched to strings for database values.
    expect(String(rows[0]!.taskId)).toBe('-1');
    expect(String(rows[0]!.pollingId)).toBe(String(okPolling));
    expect(rows[0]).toMatchObject({ questionCrmId: 'q1', phone: '79522233441', phoneId: '9522233441', result: 'will pay', exten: '1' });
    expect(inbound.callsInFlight).toBe(0);
  });

  it('an unknown caller gets the FAIL polling, no placeholders', async () => {
    const rec = await callIn({ from: '+7 999 000-11-22', exten: '700', pressWhenPrompted: '2' });
    expect(rec.answeredAt).toBeDefined();
    expect(played.get(rec.channelId)).toEqual([await uriOf(FAIL_TEXT, false)]);
    const rows = await answersOf(rec.channelId);
    expect(rows).toHaveLength(1);
    expect(String(rows[0]!.taskId)).toBe('-1');
    expect(String(rows[0]!.pollingId)).toBe(String(failPolling));
    expect(rows[0]).toMatchObject({ questionCrmId: 'f1', phone: '79990001122', result: 'stranger', exten: '2' });
  });

  it('the caller hangs up during the question: nothing stored, the call is let go', async () => {
    const rec = await callIn({ from: '79522233441', exten: '700', hangupAfterMs: 300 });
    expect(rec.endedBy).toBe('caller');
    expect(await answersOf(rec.channelId)).toEqual([]);
    await new Promise((r) => setTimeout(r, 300)); // the survey settles after the hangup
    expect(inbound.callsInFlight).toBe(0);
  });

  it('a number without a configured polling is hung up unanswered', async () => {
    const rec = await callIn({ from: '79522233441', exten: '701' });
    expect(rec.answeredAt).toBeUndefined();
    expect(rec.endedBy).toBe('app');
  });

  it("the dialer does not see a caller in progress, so its reconciliation cannot cut it off", async () => {
    const rec = sim.world.inboundCall({ app: env.config.ari.app, from: '79522233441', exten: '700', hangupAfterMs: 2000 });
    await new Promise((r) => setTimeout(r, 100));
    const all = await ari.listChannels();
    const seen = await inbound.hideFrom(ari).listChannels();
    expect(all.ok && all.value.some((c) => c.id === rec.channelId)).toBe(true);
    expect(seen.ok && seen.value.some((c) => c.id === rec.channelId)).toBe(false);
    const until = Date.now() + 5000;
    while (rec.endedAt === undefined && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    expect(rec.endedAt).toBeDefined();
  });
});
