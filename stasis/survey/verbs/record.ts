import { join } from 'node:path';
import { endsChannel } from '../hangup.js';
import { HANGUP, type ActionVerb, type SurveyRun } from '../run-state.js';
import { play } from './play.js';
import { followRecording, recordingName, type FollowedRecording } from './recording.js';

/** Seconds the caller has for the answer when valueOptions gives none (Read's digit wait). */
export const DEFAULT_ANSWER_SECONDS = 20;
/** Read(VALUE,,20,…): at most this many digits. */
const MAX_DIGITS = 20;
/** Nominal ms we wait for Asterisk to confirm a recording we stopped. */
const STOP_CONFIRM_MS = 2000;

/** valueOptions of playback_record: the seconds to wait for the answer (1..600), else the default. */
export function answerSeconds(valueOptions: string | null): number {
  const n = Number((valueOptions ?? '').trim());
  return Number.isInteger(n) && n >= 1 && n <= 600 ? n : DEFAULT_ANSWER_SECONDS;
}

/**
 * `playback_record` (v1.35): speaks the press's value (ru-RU text, or a file), then records the caller's answer
 * while collecting digits as the original's Read(VALUE,,20,,1,<valueOptions>) did. Stores one row: result = the
 * digits ('-' when none), exten = the recording's absolute path on the PBX ('' when Asterisk could not record).
 * With needRecognize=1 the recording is sent to speech recognition beside the call: the survey goes on at once.
 *
 * The answer ends at '#', at 20 digits, or `valueOptions` seconds after the last digit; when no digit was
 * pressed also when Asterisk ends the recording (max duration = valueOptions seconds, or max silence after a
 * spoken answer). A hangup ends it too: what was recorded is still stored (as answers given stay stored), and
 * the survey ends FAIL_POLLING.
 */
export const playbackRecordAction: ActionVerb = async (run, q, press, key) => {
  const { session, log } = run;
  const prompt = await run.prompts.playback(press.value, null, 'ru-RU', run.ctx.params);
  if (prompt) {
    const r = await play(session, prompt, { marginMs: run.promptMarginMs });
    if (r.kind === 'gone') return { kind: 'end', outcome: HANGUP };
    if (r.kind === 'failed') log.warn({ question: q.crmId, key, reason: r.reason }, 'playback_record prompt failed');
  }
  if (run.gone()) return { kind: 'end', outcome: HANGUP };

  const seconds = answerSeconds(press.valueOptions);
  const name = recordingName(['autodialer', run.ctx.linkedId ?? session.channelId, q.crmId, String(run.write.answers.length + 1)]);
  const rec = followRecording(session, name);
  const asked = await session.ari.record(session.channelId, {
    name,
    format: 'wav',
    maxDurationSeconds: seconds,
    maxSilenceSeconds: run.extras.recordMaxSilenceSeconds,
    beep: false,
    terminateOn: 'none', // '#' ends the digits, and we stop the recording ourselves, so no key is eaten by Asterisk
    ifExists: 'overwrite',
  });
  if (!asked.ok && asked.error === 'gone') {
    rec.stop();
    return { kind: 'end', outcome: HANGUP };
  }
  if (!asked.ok) log.warn({ question: q.crmId, reason: asked.message }, 'Asterisk refused to record the answer; collecting digits only');
  const recording = asked.ok ? rec : undefined;

  const digits = await collectDigits(run, seconds, recording);
  if (recording && !recording.ended) await stopAndConfirm(run, name, recording);
  rec.stop();

  const recorded = recording?.state === 'done' || recording?.state === 'recording';
  if (digits.gone && !recorded && digits.value === '') return { kind: 'end', outcome: HANGUP }; // nothing was answered
  if (recording?.state === 'failed') log.warn({ question: q.crmId, recording: name, cause: recording.recording?.cause }, 'recording of the answer failed');
  const path = recorded ? join(run.extras.recordingsDir, `${name}.wav`) : '';
  const answer = await run.write(q.crmId, digits.value, path, press.recognizeLabel);
  log.info({ question: q.crmId, digits: digits.value, recording: path, duration: recording?.recording?.duration }, 'answer recorded');
  if (recorded && Number(press.needRecognize) === 1) run.extras.recognitions.start(answer, path, q.lang || 'ru-RU', press.recognizeLabel?.trim() || null);
  if (digits.gone) return { kind: 'end', outcome: HANGUP };
  return { kind: 'next' };
};

/**
 * Read()'s digit collection over the live recording: '#' or 20 digits end it, as does `seconds` without a new
 * digit; before the first digit, the recording ending (Asterisk's max duration / max silence) ends it as well.
 */
async function collectDigits(run: SurveyRun, seconds: number, rec: FollowedRecording | undefined): Promise<{ value: string; gone: boolean }> {
  const { session, keys } = run;
  let value = '';
  for (;;) {
    if (run.gone()) return { value, gone: true };
    if (value === '' && rec?.state === 'done') return { value, gone: false };
    const early = keys.take();
    const got =
      early !== undefined
        ? { key: early }
        : await session.waitFor<{ key: string } | 'gone' | 'recorded'>((e) => {
            if (endsChannel(e, session.channelId)) return 'gone';
            if (value === '' && rec?.endedEvent(e) && e.type === 'RecordingFinished') return 'recorded';
            const k = keys.match(e);
            return k === undefined ? undefined : { key: k };
          }, seconds * 1000);
    if (got === 'gone') return { value, gone: true };
    if (got === 'timeout' || got === 'recorded') return { value, gone: false };
    if (got.key === '#') return { value, gone: false };
    value += got.key;
    if (value.length >= MAX_DIGITS) return { value, gone: false };
  }
}

/** Stops the recording and waits (bounded) for Asterisk to say it is finished, so the file is complete. */
async function stopAndConfirm(run: SurveyRun, name: string, rec: FollowedRecording): Promise<void> {
  const { session } = run;
  const finished = session.waitFor((e) => (rec.endedEvent(e) ? true : undefined), STOP_CONFIRM_MS);
  const stopped = await session.ari.stopRecording(name);
  if (!stopped.ok && stopped.error === 'failed') run.log.warn({ recording: name, reason: stopped.message }, 'could not stop the recording');
  if (rec.ended) return; // it had ended before the stop reached Asterisk
  const r = await finished;
  if (r === 'timeout' && !rec.ended) run.log.warn({ recording: name }, 'Asterisk did not confirm the end of the recording');
}
