/**
 * The survey as the dialer runs it: API → dialer → RunSurvey → results, over the fake ARI port (answers
 * at once, the test plays the customer). The same flows run against the ARI simulator in e2e-sim.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/api/app.js';
import { createClock } from '../../src/clock.js';
import { createFfmpegConverter } from '../../src/media/ffmpeg.js';
import { createTts } from '../../src/tts/index.js';
import { createDialer, type Dialer } from '../../stasis/dialer/index.js';
import { createSurveyRunner } from '../../stasis/survey/index.js';
import { createFakeAri, type FakeAri } from '../fakes/fake-ari.js';
import { FAKE_API_KEY, startFakeSpeechKit, type FakeSpeechKit } from '../fakes/speechkit.js';
import { freshEnv } from '../helpers/env.js';
import { api, pollingRowsOf, waitForResults } from './e2e-helpers.js';
import { SEED_POLLING } from './fixtures.js';

const SCALE = 0.02;
let speechkit: FakeSpeechKit;
let env: Awaited<ReturnType<typeof freshEnv>>;
let fake: FakeAri;
let dialer: Dialer;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  speechkit = await startFakeSpeechKit();
  env = await freshEnv({ YANDEX_API_KEY: FAKE_API_KEY, YANDEX_TTS_URL: speechkit.url, DIALER_TIME_SCALE: String(SCALE) });
  const tts = createTts(env.config.tts, env.dir, env.log);
  fake = createFakeAri();
  const clock = createClock(SCALE);
  const runSurvey = createSurveyRunner({ db: env.db, log: env.log, clock, tts });
  dialer = createDialer({ config: env.config, db: env.db, log: env.log, ari: fake, clock, runSurvey, simulator: true });
  app = createApp({ config: env.config, db: env.db, log: env.log, dialer, audio: createFfmpegConverter({ log: env.log }), prompts: tts.preparer });
  await dialer.start();
});
afterAll(async () => {
  dialer.halt();
  await speechkit.close();
  await env.cleanup();
});

async function pollingTask(number: string, polling: unknown = SEED_POLLING) {
  const p = await api(app, 'POST', '/polling', polling);
  expect(p.result).toBe(true);
  const t = await api(app, 'POST', '/task', { name: 'survey', state: 0, innerNum: String(p.data.id), innerNumType: 'polling', maxCountChannels: 1, numbers: [{ number }] });
  expect(t.result).toBe(true);
  return Number(t.data.id);
}

describe('polling task through the dialer (fake ARI)', () => {
  it('customer presses 1: SUCCESS_POLLING and one polling result with exten 1', async () => {
    fake.onAnswered = (ch) => setTimeout(() => fake.press(ch, '1'), 10);
    const taskId = await pollingTask('79000000001');
    const [row] = await waitForResults(env.db, taskId, 1);
    expect(row).toMatchObject({ result: 'SUCCESS_POLLING', state: 'EVENT_POLLING_END' });
    const answers = await pollingRowsOf(env.db, taskId);
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ exten: '1', result: '1', questionCrmId: '1', phone: '79000000001', linkedId: row.linkedId });
  });

  it('customer presses nothing: FAIL_POLLING after the replays', async () => {
    fake.onAnswered = undefined;
    const taskId = await pollingTask('79000000002');
    const [row] = await waitForResults(env.db, taskId, 1);
    expect(row.result).toBe('FAIL_POLLING');
    expect(await pollingRowsOf(env.db, taskId)).toEqual([]);
  });

  it('dial action: SUCCESS_POLLING, then the customer is bridged with the agent', async () => {
    const polling = { name: 'to agent', questions: [{ questionId: '1', questionText: 'Нажмите 0 для связи с оператором', press: [{ key: '0', action: 'dial', value: '201' }] }] };
    fake.onAnswered = (ch, endpoint) => {
      if (!endpoint.includes('201')) setTimeout(() => fake.press(ch, '0'), 10);
      else setTimeout(() => fake.hangupRemote(ch), 100); // the agent ends the conversation
    };
    const taskId = await pollingTask('79000000003', polling);
    const [row] = await waitForResults(env.db, taskId, 1);
    expect(row.result).toBe('SUCCESS_POLLING');
    expect((await pollingRowsOf(env.db, taskId)).map((r) => [r.result, r.exten])).toEqual([['201', '0']]);
    // the result is recorded before the agent is rung: wait for the bridge
    const until = Date.now() + 5000;
    let bridged = fake.commands.find((c) => c.op === 'addToBridge');
    while (!bridged && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 10));
      bridged = fake.commands.find((c) => c.op === 'addToBridge');
    }
    expect(bridged?.args[1]).toEqual([row.callFile, `${row.callFile}-agent`]);
    expect(fake.commands.some((c) => c.op === 'originate' && (c.args[0] as { endpoint: string }).endpoint === 'Local/201@internal')).toBe(true);
  });
});
