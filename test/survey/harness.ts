import { randomUUID } from 'node:crypto';
import { createClock } from '../../src/clock.js';
import type { pollingResults } from '../../src/db/schema.js';
import { createTts, type Tts } from '../../src/tts/index.js';
import { SessionRegistry } from '../../stasis/session/call-session.js';
import { createSurveyRunner, type SurveyDeps } from '../../stasis/survey/index.js';
import type { SurveyContext, SurveyOutcome } from '../../stasis/survey/types.js';
import { createFakeAri, type FakeAriOptions } from '../fakes/fake-ari.js';
import { FAKE_API_KEY, type FakeSpeechKit } from '../fakes/speechkit.js';
import { freshEnv } from '../helpers/env.js';
import { insertPolling, type PollingDef } from './fixtures.js';

/** Time scale of the survey's own waits: a 5 s question timeout lasts 100 ms. */
export const SCALE = 0.02;

/** The survey runner over the fake ARI port and the real SessionRegistry, with TTS against the fake SpeechKit. */
export async function surveyHarness(
  speechkit: FakeSpeechKit | undefined,
  ari: FakeAriOptions = {},
  extra: Partial<Omit<SurveyDeps, 'db' | 'log' | 'clock' | 'tts'>> = {},
) {
  const env = await freshEnv(speechkit ? { YANDEX_API_KEY: FAKE_API_KEY, YANDEX_TTS_URL: speechkit.url } : {});
  const tts: Tts = createTts(env.config.tts, env.dir, env.log);
  const fake = createFakeAri(ari);
  const registry = new SessionRegistry(fake, createClock(SCALE), env.log);
  fake.onEvent((e) => registry.dispatch(e));
  const runSurvey = createSurveyRunner({ db: env.db, log: env.log, clock: { now: Date.now }, tts, ...extra });

  /** `pressedBefore`: digits the customer presses after the answer, before the survey starts. */
  async function start(def: PollingDef | number, ctx: Partial<SurveyContext> = {}, pressedBefore = '') {
    const pollingId = typeof def === 'number' ? def : await insertPolling(env.db, def);
    const channelId = `call-${randomUUID()}`;
    fake.addChannel(channelId);
    const session = registry.create(channelId);
    if (pressedBefore) fake.press(channelId, pressedBefore);
    const context: SurveyContext = {
      taskId: 1000000001,
      taskResultId: 1,
      pollingId,
      phone: '79522233446',
      phoneId: '9522233446',
      params: {},
      linkedId: `linked-${channelId}`,
      verboseCallId: '[C-00000001]',
      ...ctx,
    };
    const outcome: Promise<SurveyOutcome> = runSurvey(session, context);
    return { channelId, session, pollingId, outcome, linkedId: context.linkedId! };
  }

  /** The media URI the survey plays for a text (voiced on demand, so it is in the cache). */
  async function ttsUri(text: string, lang = 'ru-RU', perCall = false) {
    const r = await tts.synthesize(text, lang, { perCall });
    if (!r.ok) throw new Error(r.message);
    return `sound:${r.wavPath.slice(0, -4)}`;
  }

  const resultsOf = (linkedId: string) =>
    env.db.all<typeof pollingResults.$inferSelect>('SELECT * FROM polling_results WHERE linkedId = ? ORDER BY id', [linkedId]);

  return { env, tts, fake, registry, start, ttsUri, resultsOf };
}
