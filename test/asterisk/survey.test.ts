/**
 * Surveys on a real Asterisk 22: the service as `npm start` runs it, a private PBX with the test world of
 * ../shared/asterisk/observed.md §1 (customers behave by the number's last digit), text prompts voiced by a
 * local fake SpeechKit, an uploaded file as a prompt. Every scenario is its own task, all dialed at once.
 *
 * What a CRM sees is read through the API (GET /results/{t} polled as a CRM does, GET /polling-results/{t});
 * what the customer heard is read from Asterisk itself, by a second ARI application subscribed to everything
 * (PlaybackStarted / PlaybackFinished / ChannelDtmfReceived / ChannelEnteredBridge).
 * `SURVEY_TRACE=1` prints, per call, the result, the states a CRM saw, and the playbacks and keys with times.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledFfmpegPath } from '../../src/media/ffmpeg.js';
import { parseWav, pcmToWav } from '../../src/media/wav.js';
import { speakableText } from '../../src/tts/voice.js';
import { FAKE_API_KEY, startFakeSpeechKit, type FakeSpeechKit } from '../fakes/speechkit.js';
import { api, BASE, freePort, startService, type RunningService } from '../faults/harness/service.js';
import { pbxSkipReason, startPbx, type Pbx } from './pbx.js';
import { pollingAnswers, watchPbx, watchResults, type PbxWatch, type PlaybackSeen, type ResultRow, type ResultsWatch } from './survey-watch.js';

interface PressDef {
  key: string;
  action: string;
  value?: string;
  valueOptions?: string;
  nextQuestion?: string;
}
interface QuestionDef {
  questionId: string;
  questionText?: string;
  questionFile?: string;
  timeout?: number;
  defPress?: string;
  nextQuestion?: string;
  press: PressDef[];
}

/** Texts of the TTS prompts. The fake SpeechKit answers 0.2 s + 10 ms per character of tone, at most 2 s. */
const T = Object.fromEntries(Object.entries({
  rate: `Оцените нашу работу. Если всё было хорошо, нажмите три. Если было плохо, нажмите один. ${'Мы внимательно слушаем. '.repeat(3)}`,
  whatWasBad: 'Что было плохо? Нажмите девять.',
  recommend: `Порекомендуете нас друзьям? Если да, нажмите девять. ${'Спасибо, что остаётесь с нами. '.repeat(4)}`,
  thanks: 'Спасибо за ответ',
  pressOne: 'Нажмите один',
  nothing: 'Вы нас слышите? Нажмите один',
  byDefault: 'Здравствуйте, <NAME>! По договору <CONTRACT>. Нажмите два или подождите',
  operator: 'Для связи с оператором нажмите три',
  onlyNine: `Нажмите девять. ${'Только девять, пожалуйста. '.repeat(5)}`,
}).map(([k, v]) => [k, v.trim()])) as Record<'rate' | 'whatWasBad' | 'recommend' | 'thanks' | 'pressOne' | 'nothing' | 'byDefault' | 'operator' | 'onlyNine', string>;

/** Seconds of tone the fake SpeechKit answers for this text. */
const ttsSeconds = (text: string) => Math.min(2, 0.2 + text.length * 0.01);

const UPLOAD_SECONDS = 5;
const LONG_SECONDS = 8;
const THANKS_SECONDS = 3;

let pbx: Pbx | undefined;
let speechkit: FakeSpeechKit | undefined;
let svc: RunningService | undefined;
let witness: PbxWatch | undefined;
let crm: ResultsWatch | undefined;
let work: string;
let dataDir: string;
/** Uploaded prompts: a 5 s mp3 (the barge-in question), an 8 s 16 kHz stereo wav (hung up on), a 3 s mp3 (thanks). */
const uploaded = { question: '', long: '', thanks: '' };
/** Scenario → its task id and polling id. */
const tasks = new Map<string, { taskId: number; pollingId: number }>();
const pollingMessages = new Map<string, unknown[]>();

const url = () => svc!.url;
const post = async (path: string, body: unknown) => {
  const r = await api(url(), 'POST', path, body);
  if (!r.result) throw new Error(`POST ${path} refused: ${JSON.stringify(r.messages)}`);
  return r;
};

async function upload(name: string, bytes: Buffer): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  const r = (await (await fetch(`${url()}${BASE}/audio`, { method: 'POST', body: form })).json()) as { result: boolean; data: { filename: string }; messages: unknown };
  if (!r.result) throw new Error(`upload ${name} refused: ${JSON.stringify(r.messages)}`);
  return r.data.filename;
}

/** A polling and a polling task dialing these numbers all at once. */
async function scenario(key: string, questions: QuestionDef[], numbers: (string | { number: string; params: Record<string, unknown> })[]) {
  const p = await post('/polling', { name: key, questions });
  pollingMessages.set(key, p.messages as unknown[]);
  const t = await post('/task', {
    name: key,
    innerNum: String(p.data.id),
    innerNumType: 'polling',
    maxCountChannels: numbers.length,
    numbers,
  });
  tasks.set(key, { taskId: Number(t.data.id), pollingId: Number(p.data.id) });
}

const suite = describe.skipIf(pbxSkipReason());

suite('surveys on a real Asterisk 22', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'survey-pbx-'));
    dataDir = join(work, 'data');
    speechkit = await startFakeSpeechKit();
    pbx = await startPbx();
    witness = await watchPbx(pbx);
    svc = await startService({
      ariUrl: pbx.url,
      ariUsername: 'autodialer',
      ariPassword: 'autodialer',
      dataDir,
      timeScale: 1,
      httpPort: await freePort(),
      env: { DIALER_DEFAULT_DIAL_PREFIX: '0', YANDEX_API_KEY: FAKE_API_KEY, YANDEX_TTS_URL: speechkit.url },
    });
    crm = watchResults(url());

    // 44.1 kHz stereo mp3s made by ffmpeg, and an 8 s 16 kHz stereo wav made here: all converted on upload
    const mp3 = (name: string, seconds: number) => {
      const path = join(work, name);
      execFileSync(bundledFfmpegPath(), ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=500:duration=${seconds}`, '-ar', '44100', '-ac', '2', path]);
      return readFileSync(path);
    };
    uploaded.question = await upload('question.mp3', mp3('question.mp3', UPLOAD_SECONDS));
    uploaded.thanks = await upload('thanks.mp3', mp3('thanks.mp3', THANKS_SECONDS));
    const rate = 16000;
    const pcm = Buffer.alloc(LONG_SECONDS * rate * 4);
    for (let i = 0; i < LONG_SECONDS * rate; i++) {
      const v = Math.round(6000 * Math.sin((2 * Math.PI * 350 * i) / rate));
      pcm.writeInt16LE(v, i * 4);
      pcm.writeInt16LE(v, i * 4 + 2);
    }
    uploaded.long = await upload('long-question.wav', pcmToWav(pcm, { sampleRate: rate, channels: 2, bitsPerSample: 16 }));

    // Customers (last digit), as measured here from the start of the first prompt: 1 presses 1 at ~1.2 s and hangs
    // up at ~6.4 s; 6 presses 3 at ~1.2 s and 9 at ~2.65 s; 5 hangs up at once; 0 rings 2 s, stays 30 s, no key.
    await Promise.all([
      // barge-in on the uploaded 5 s prompt, then a playback action voiced by TTS
      scenario(
        'barge-in',
        [{ questionId: 'q1', questionFile: uploaded.question, timeout: 2, press: [{ key: '1', action: 'playback', value: T.thanks, valueOptions: 'text' }] }],
        ['79001000011'],
      ),
      // 3 goes to q3 (the press's nextQuestion), 9 answers it; 1 would have gone to q2 (the question's nextQuestion)
      scenario(
        'branching',
        [
          {
            questionId: 'q1',
            questionText: T.rate,
            timeout: 2,
            nextQuestion: 'q2',
            press: [
              { key: '3', action: 'answer', value: 'good', nextQuestion: 'q3' },
              { key: '1', action: 'answer', value: 'bad' },
            ],
          },
          { questionId: 'q2', questionText: T.whatWasBad, timeout: 2, press: [{ key: '9', action: 'answer', value: 'everything' }] },
          { questionId: 'q3', questionText: T.recommend, timeout: 2, press: [{ key: '9', action: 'answer', value: 'yes' }] },
        ],
        ['79001000026', '79001000031'],
      ),
      // hang-ups: …5 at once, …1 after answering q1, while q2's long prompt plays
      scenario(
        'hangup',
        [
          { questionId: 'q1', questionText: T.pressOne, timeout: 3, press: [{ key: '1', action: 'answer', value: 'yes', nextQuestion: 'q2' }] },
          { questionId: 'q2', questionFile: uploaded.long, timeout: 2, press: [{ key: '1', action: 'answer', value: 'again' }] },
        ],
        ['79001000045', '79001000051'],
      ),
      // no key at all: asked 4 times, then FAIL_POLLING
      scenario('replays', [{ questionId: 'q1', questionText: T.nothing, timeout: 1, press: [{ key: '1', action: 'answer', value: 'heard' }] }], ['79001000060']),
      // no key, but a defPress: taken on the first timeout; the text has the number's params filled in
      scenario(
        'defPress',
        [{ questionId: 'q1', questionText: T.byDefault, timeout: 1, defPress: '2', press: [{ key: '2', action: 'answer', value: 'default' }] }],
        [{ number: '79001000070', params: { NAME: 'Иван', CONTRACT: '4521' } }],
      ),
      // transfer: key 3 → dial 201 (context internal → agent 201 answers after 1 s)
      scenario('dial', [{ questionId: 'q1', questionText: T.operator, timeout: 2, press: [{ key: '3', action: 'dial', value: '201' }] }], ['79001000096']),
      // a playback action is not interrupted by a key; the key (9) waits and answers the next question at once
      scenario(
        'type-ahead',
        [
          { questionId: 'q1', questionText: T.pressOne, timeout: 2, press: [{ key: '3', action: 'playback', value: uploaded.thanks, valueOptions: 'file', nextQuestion: 'q2' }] },
          { questionId: 'q2', questionText: T.whatWasBad, timeout: 2, press: [{ key: '9', action: 'answer', value: 'nine' }] },
        ],
        ['79001000106'],
      ),
      // the customer hangs up during the closing playback action (8 s file): not the end of the survey
      scenario(
        'hangup in playback',
        [{ questionId: 'q1', questionText: T.pressOne, timeout: 3, press: [{ key: '1', action: 'playback', value: uploaded.long, valueOptions: 'file' }] }],
        ['79001000111'],
      ),
      // a key with no press (3) replays the question; 9 then answers it
      scenario('unknown key', [{ questionId: 'q1', questionText: T.onlyNine, timeout: 2, press: [{ key: '9', action: 'answer', value: 'nine' }] }], ['79001000086']),
    ]);
  });

  afterAll(async () => {
    if (process.env.SURVEY_TRACE) {
      for (const r of crm?.rows() ?? []) {
        console.log(r.phone, r.result, r.state, r.hangupCause, r.cause, r.linkedId, r.callFile, r.verboseCallId, crm!.trail(r.id).join('>'));
        const t0 = witness!.playbacks(r.callFile ?? '')[0]?.startedAt ?? 0;
        for (const p of witness!.playbacks(r.callFile ?? '')) console.log('   play', p.uri.slice(-20), ((p.startedAt - t0) / 1000).toFixed(2), ((p.finishedAt! - t0) / 1000).toFixed(2), p.state);
        for (const d of witness!.dtmf(r.callFile ?? '')) console.log('   dtmf', d.digit, ((d.at - t0) / 1000).toFixed(2));
      }
    }
    crm?.stop();
    await witness?.close().catch(() => undefined);
    if (svc) {
      svc.child.kill('SIGTERM');
      const t = setTimeout(() => svc?.child.kill('SIGKILL'), 10_000);
      await svc.exited;
      clearTimeout(t);
    }
    await pbx?.destroy();
    await speechkit?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** The task's finished rows by phone, after checking what every finished polling call has in common. */
  async function finishedRows(key: string, count: number): Promise<Map<string, ResultRow>> {
    const { taskId } = tasks.get(key)!;
    const rows = await crm!.finished(taskId, count, 60_000);
    const dials = pbx!.dials();
    for (const row of rows) {
      // the customer was reached and the survey ran: only the survey records these two results (a CRM polling
      // every 50 ms may not see the EVENT_POLLING state of a customer who hangs up at once)
      expect(row.outDialState, row.phone).toBe('ANSWER');
      expect(row.closeTime, row.phone).toBeGreaterThan(0);
      expect(['SUCCESS_POLLING', 'FAIL_POLLING'], row.phone).toContain(row.result);
      // dialed exactly once, through the outbound route with the trunk prefix stripped, on the call whose id is stored
      // (Asterisk's linkedid of an ARI-originated call is the channel id the dialer chose)
      const dialed = dials.filter((d) => d.number === row.phone);
      expect(dialed.map((d) => d.linkedId), row.phone).toEqual([row.callFile]);
      // the linkedid Asterisk logged for the dial is the one a CRM gets (also for a customer who hangs up at once)
      expect(row.linkedId, row.phone).toBe(dialed[0]!.linkedId);
    }
    return new Map(rows.map((r) => [r.phone, r]));
  }

  /** The trail a CRM saw must follow the documented order and end in `last`. */
  function expectTrail(row: ResultRow, last: string) {
    const order = ['CreateTask', 'CreateCallFile', 'afterDialOut', 'EVENT_POLLING', last];
    const seen = crm!.trail(row.id);
    expect(seen.at(-1), `${row.phone}: ${seen.join(' → ')}`).toBe(last);
    const positions = seen.map((s) => order.indexOf(s));
    expect(positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]!)), `${row.phone}: ${seen.join(' → ')}`).toBe(true);
  }

  const answersOf = async (key: string, phone: string) =>
    (await pollingAnswers(url(), tasks.get(key)!.taskId)).filter((a) => a.phone === phone).map((a) => [a.questionCrmId, a.result, a.exten]);

  const ttsUri = (p: PlaybackSeen) => p.uri.startsWith(`sound:${join(dataDir, 'tts')}/`);
  const fileUri = (filename: string) => `sound:${filename.replace(/\.wav$/, '')}`;
  /** Seconds of audio in the wav a `sound:` playback played. */
  const wavSeconds = (p: PlaybackSeen) => {
    const info = parseWav(readFileSync(`${p.uri.slice('sound:'.length)}.wav`));
    if (!info) throw new Error(`${p.uri}.wav is not a wav`);
    return info.dataBytes / (info.sampleRate * info.channels * (info.bitsPerSample / 8));
  };
  const ranSeconds = (p: PlaybackSeen) => ((p.finishedAt ?? Infinity) - p.startedAt) / 1000;
  /** Asterisk played it to the end: finished "done" after about its length. */
  const expectPlayedToTheEnd = (p: PlaybackSeen) => {
    expect(p.state, p.uri).toBe('done');
    expect(ranSeconds(p), p.uri).toBeGreaterThan(wavSeconds(p) - 0.3);
    expect(ranSeconds(p), p.uri).toBeLessThan(wavSeconds(p) + 1.5);
  };

  it('text prompts were voiced by SpeechKit when the pollings were saved, once each, without a warning', () => {
    for (const text of Object.values(T)) {
      // placeholders are markup at save time (dropped); the filled-in text is voiced by the call itself
      expect(speechkit!.requests.filter((r) => r.form.text === speakableText(text)), text).toHaveLength(1);
    }
    for (const [key, messages] of pollingMessages) expect(messages, key).toEqual([]);
    // the uploads were converted to what Asterisk plays without transcoding
    for (const [f, seconds] of [[uploaded.question, UPLOAD_SECONDS], [uploaded.long, LONG_SECONDS], [uploaded.thanks, THANKS_SECONDS]] as const) {
      const info = parseWav(readFileSync(f));
      expect(info, f).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 16 });
      expect(info!.dataBytes / 16000, f).toBeCloseTo(seconds, 0);
    }
  });

  it('barge-in on an uploaded file: the key stops the 5 s prompt and counts; the playback action is voiced; SUCCESS_POLLING', async () => {
    const rows = await finishedRows('barge-in', 1);
    const row = rows.get('79001000011')!;
    expect(row.result).toBe('SUCCESS_POLLING');
    expectTrail(row, 'EVENT_POLLING_END');
    expect(await answersOf('barge-in', row.phone)).toEqual([['q1', '1', '1']]);
    const [answer] = await pollingAnswers(url(), tasks.get('barge-in')!.taskId);
    expect(answer).toMatchObject({ pollingId: tasks.get('barge-in')!.pollingId, phoneId: '9001000011', linkedId: row.linkedId, verboseCallId: row.verboseCallId });

    const played = witness!.playbacks(row.callFile!);
    expect(played.map((p) => p.uri)).toEqual([fileUri(uploaded.question), expect.stringMatching(/^sound:/)]);
    const [question, thanks] = played as [PlaybackSeen, PlaybackSeen];
    const [key] = witness!.dtmf(row.callFile!);
    expect(key?.digit).toBe('1');
    // the key came while the question played, and the question stopped right after it, long before its 5 s
    expect(key!.at).toBeGreaterThan(question.startedAt);
    expect(question.finishedAt! - key!.at).toBeLessThan(1000);
    expect(ranSeconds(question)).toBeLessThan(UPLOAD_SECONDS - 1);
    // the thank-you is the TTS text, played to the end after the question stopped
    expect(ttsUri(thanks)).toBe(true);
    expect(wavSeconds(thanks)).toBeCloseTo(ttsSeconds(T.thanks), 1);
    expect(thanks.startedAt).toBeGreaterThanOrEqual(question.finishedAt!);
    expectPlayedToTheEnd(thanks);
  });

  it('branching: key 3 leads to the press target q3 and 9 answers it; key 1 leads to the question target q2', async () => {
    const rows = await finishedRows('branching', 2);
    const six = rows.get('79001000026')!;
    expect(six.result).toBe('SUCCESS_POLLING');
    expectTrail(six, 'EVENT_POLLING_END');
    expect(await answersOf('branching', six.phone)).toEqual([
      ['q1', 'good', '3'],
      ['q3', 'yes', '9'],
    ]);
    const played = witness!.playbacks(six.callFile!);
    expect(played).toHaveLength(2);
    expect(played.every(ttsUri)).toBe(true);
    expect(played.map(wavSeconds)).toEqual([ttsSeconds(T.rate), ttsSeconds(T.recommend)].map((s) => expect.closeTo(s, 1)));
    expect(witness!.dtmf(six.callFile!).map((d) => d.digit)).toEqual(['3', '9']);

    // …1 presses 1 (bad → q2), then stays silent until it hangs up: q2 is replayed meanwhile, and the answer stays
    const one = rows.get('79001000031')!;
    expect(one.result).toBe('FAIL_POLLING');
    expectTrail(one, 'endCall');
    expect(await answersOf('branching', one.phone)).toEqual([['q1', 'bad', '1']]);
    // before the key: q1 (asked again if the key came late), after it: q2 only
    const [key] = witness!.dtmf(one.callFile!);
    const heard = witness!.playbacks(one.callFile!);
    const before = heard.filter((p) => p.startedAt < key!.at).map(wavSeconds);
    const after = heard.filter((p) => p.startedAt >= key!.at).map(wavSeconds);
    expect(before.length).toBeGreaterThanOrEqual(1);
    for (const s of before) expect(s).toBeCloseTo(ttsSeconds(T.rate), 1);
    expect(after.length).toBeGreaterThanOrEqual(1);
    for (const s of after) expect(s).toBeCloseTo(ttsSeconds(T.whatWasBad), 1);
  });

  it('a text prompt is played to its end; without a key it is asked 4 times (3 replays), then FAIL_POLLING', async () => {
    const rows = await finishedRows('replays', 1);
    const row = rows.get('79001000060')!;
    expect(row.result).toBe('FAIL_POLLING');
    expectTrail(row, 'endCall');
    expect(await answersOf('replays', row.phone)).toEqual([]);
    const played = witness!.playbacks(row.callFile!);
    expect(played).toHaveLength(4);
    expect(new Set(played.map((p) => p.uri)).size).toBe(1);
    expect(ttsUri(played[0]!)).toBe(true);
    played.forEach(expectPlayedToTheEnd);
    // each replay comes after the 1 s timeout that followed the previous playing
    for (let i = 1; i < played.length; i++) {
      const gap = (played[i]!.startedAt - played[i - 1]!.finishedAt!) / 1000;
      expect(gap).toBeGreaterThan(0.9);
      expect(gap).toBeLessThan(3);
    }
    expect(witness!.dtmf(row.callFile!)).toEqual([]);
  });

  it("defPress: the first timeout takes the default key as the answer; the prompt carries the number's params", async () => {
    const rows = await finishedRows('defPress', 1);
    const row = rows.get('79001000070')!;
    expect(row.result).toBe('SUCCESS_POLLING');
    expectTrail(row, 'EVENT_POLLING_END');
    expect(await answersOf('defPress', row.phone)).toEqual([['q1', 'default', '2']]);
    const played = witness!.playbacks(row.callFile!);
    expect(played).toHaveLength(1);
    // voiced during the call with the params filled in (digits spelled), kept with the per-call prompts
    const filled = 'Здравствуйте, Иван! По договору 4 5 2 1. Нажмите два или подождите';
    expect(speechkit!.requests.filter((r) => r.form.text === filled)).toHaveLength(1);
    expect(played[0]!.uri.startsWith(`sound:${join(dataDir, 'tts', 'calls')}/`)).toBe(true);
    expect(wavSeconds(played[0]!)).toBeCloseTo(ttsSeconds(filled), 1);
    expectPlayedToTheEnd(played[0]!);
  });

  it('dial action: the key ends the survey as SUCCESS_POLLING, then the customer is bridged with agent 201', async () => {
    const rows = await finishedRows('dial', 1);
    const row = rows.get('79001000096')!;
    expect(row.result).toBe('SUCCESS_POLLING');
    expectTrail(row, 'EVENT_POLLING_END');
    expect(await answersOf('dial', row.phone)).toEqual([['q1', '201', '3']]);
    // the result is recorded before the agent is rung: wait for the bridge (agent 201 answers after 1 s)
    const until = Date.now() + 10_000;
    while (Date.now() < until && witness!.bridgedWith(row.callFile!).length < 2) await new Promise((r) => setTimeout(r, 50));
    const names = witness!.bridgedWith(row.callFile!);
    expect(names).toHaveLength(2);
    expect(names.filter((n) => /^Local\/201@internal-/.test(n))).toHaveLength(1);
  });

  it('a key during a playback action (uploaded file) does not stop it; it answers the next question, whose prompt is skipped', async () => {
    const rows = await finishedRows('type-ahead', 1);
    const row = rows.get('79001000106')!;
    expect(row.result).toBe('SUCCESS_POLLING');
    expectTrail(row, 'EVENT_POLLING_END');
    expect(await answersOf('type-ahead', row.phone)).toEqual([
      ['q1', '3', '3'],
      ['q2', 'nine', '9'],
    ]);
    const played = witness!.playbacks(row.callFile!);
    const [three, nine] = witness!.dtmf(row.callFile!);
    expect([three?.digit, nine?.digit]).toEqual(['3', '9']);
    // q1's prompt, then the 3 s uploaded thank-you, which 9 (~1.5 s after 3) came in the middle of and did not stop;
    // q2's prompt never played
    expect(played.map((p) => p.uri)).toEqual([expect.stringMatching(/^sound:/), fileUri(uploaded.thanks)]);
    expect(wavSeconds(played[0]!)).toBeCloseTo(ttsSeconds(T.pressOne), 1);
    const thanks = played[1]!;
    expect(nine!.at).toBeGreaterThan(thanks.startedAt);
    expect(nine!.at).toBeLessThan(thanks.finishedAt!);
    expectPlayedToTheEnd(thanks);
  });

  it('a key with no press replays the question; the next key answers it', async () => {
    const rows = await finishedRows('unknown key', 1);
    const row = rows.get('79001000086')!;
    expect(row.result).toBe('SUCCESS_POLLING');
    expectTrail(row, 'EVENT_POLLING_END');
    expect(await answersOf('unknown key', row.phone)).toEqual([['q1', 'nine', '9']]);
    const played = witness!.playbacks(row.callFile!);
    expect(played).toHaveLength(2);
    expect(new Set(played.map((p) => p.uri)).size).toBe(1);
    // the replay came right after 3, not after the 2 s timeout
    const [three, nine] = witness!.dtmf(row.callFile!);
    expect([three?.digit, nine?.digit]).toEqual(['3', '9']);
    expect(played[1]!.startedAt).toBeGreaterThanOrEqual(three!.at);
    expect(played[1]!.startedAt - three!.at).toBeLessThan(1000);
  });

  it('a customer who hangs up during the closing playback action did not finish the survey: FAIL_POLLING, answer kept', async () => {
    const rows = await finishedRows('hangup in playback', 1);
    const row = rows.get('79001000111')!;
    expect(await answersOf('hangup in playback', row.phone)).toEqual([['q1', '1', '1']]);
    const played = witness!.playbacks(row.callFile!);
    expect(played.map((p) => p.uri)).toEqual([expect.stringMatching(/^sound:/), fileUri(uploaded.long)]);
    expect(played[1]!.state).toBe('failed');
    expect(row.result).toBe('FAIL_POLLING');
    expectTrail(row, 'endCall');
    expect(row.hangupCause).toBe(16);
  });

  it('customers who hang up mid-survey: FAIL_POLLING, with the answers given before kept', async () => {
    const rows = await finishedRows('hangup', 2);
    // …5 answers and hangs up at once
    const five = rows.get('79001000045')!;
    expect(five.result).toBe('FAIL_POLLING');
    expectTrail(five, 'endCall');
    expect(await answersOf('hangup', five.phone)).toEqual([]);

    // …1 answers q1 with 1, then hangs up ~6 s after answering, in the middle of q2's 8 s uploaded prompt
    const one = rows.get('79001000051')!;
    expect(one.result).toBe('FAIL_POLLING');
    expectTrail(one, 'endCall');
    expect(one.hangupCause).toBe(16);
    expect(await answersOf('hangup', one.phone)).toEqual([['q1', 'yes', '1']]);
    const played = witness!.playbacks(one.callFile!);
    expect(played.map((p) => p.uri)).toEqual([expect.stringMatching(/^sound:/), fileUri(uploaded.long)]);
    expect(ttsUri(played[0]!)).toBe(true);
    expect(played[1]!.state).not.toBe('done');
    expect(ranSeconds(played[1]!)).toBeLessThan(LONG_SECONDS - 1);
  });
});
