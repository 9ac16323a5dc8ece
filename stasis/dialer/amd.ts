import { stat } from 'node:fs/promises';
import { extname, isAbsolute } from 'node:path';
import { ResultCode, RowState } from '../../src/domain/result-codes.js';
import type { AttemptRow, TaskRow } from '../../src/services/attempts/index.js';
import type { CallSession } from '../session/call-session.js';
import { DEFAULT_AMD, detectMachine, greetingOver, type AmdTuning } from './amd-detect.js';
import type { DialerCore } from './core.js';
import { hangupAndWait, type LegEvidence } from './customer-leg.js';
import { finish } from './record.js';

/** What answering-machine screening decided for an answered customer. */
export type Screened = 'person' | 'done';

/** outDialState of an answer that was a machine (result FAIL: retried like any FAIL, or per its retry rule). */
export const MACHINE = 'MACHINE';
/** The task's message was played to a machine to its end: delivered, not retried. */
export const MACHINE_MESSAGE_LEFT = 'SUCCESS_MACHINE_MESSAGE';

/** 'message': the longest wait for a machine's greeting (and beep) to end, from the moment it began. */
const MAX_GREETING_MS = 10_000;
/** A message file of unknown length (not a wav) is given this long to play. */
const UNKNOWN_LENGTH_MS = 60_000;

/** Turns the task's amdMessage text into a playable sound path (TTS), or undefined when it cannot. */
export type SpeakText = (text: string) => Promise<string | undefined>;

/** The dialer's TTS as a SpeakText (Russian, as the original's prompts without a lang); none = no text messages. */
export function speakWith(core: DialerCore): SpeakText | undefined {
  const tts = core.tts;
  if (!tts) return undefined;
  return async (text) => {
    const r = await tts.synthesize(text, 'ru-RU');
    return r.ok ? r.wavPath : undefined;
  };
}

/**
 * Answering-machine detection on an answered customer (task.amd). 'person': go on with the survey or the agent
 * (a hang-up meanwhile is theirs to record). 'done': a machine was handled here and its result is recorded:
 * - amd 'hangup': FAIL, outDialState MACHINE, hung up;
 * - amd 'message': after the greeting, the task's message (amdMessageFile, else amdMessage by TTS) is played;
 *   SUCCESS_MACHINE_MESSAGE when it played to its end, FAIL / MACHINE when the machine hung up first or there
 *   was nothing to play.
 */
export async function screenAnswered(
  core: DialerCore,
  task: TaskRow,
  row: AttemptRow,
  session: CallSession,
  ev: LegEvidence,
  opts: { tuning?: AmdTuning; speak?: SpeakText } = {},
): Promise<Screened> {
  const tuning = opts.tuning ?? DEFAULT_AMD;
  const t0 = session.clock.now();
  const elapsed = () => Math.round((session.clock.now() - t0) / core.clock.scaled(1)); // nominal ms
  const v = await detectMachine(session, tuning, elapsed).catch((err: unknown) => {
    session.log.warn({ err }, 'answering-machine detection failed; treated as a person');
    return { kind: 'person' as const, why: 'not-detected' as const, ms: elapsed() };
  });
  session.log.info({ rowId: row.id, amd: v }, 'answering-machine screening');
  if (v.kind !== 'machine') {
    if (v.kind === 'person' && !session.ended) void session.ari.setVariable(session.channelId, 'TALK_DETECT(remove)', '');
    return 'person';
  }
  const machine = { state: RowState.END_CALL, outDialState: MACHINE };
  if (task.amd === 'message') {
    const media = await messageMedia(task, opts.speak);
    if (!media) {
      session.log.warn({ taskId: task.id }, 'amd=message but the task has no playable amdMessageFile / amdMessage; hanging up');
    } else {
      const over = await greetingOver(session, Math.max(0, MAX_GREETING_MS - (v.ms - v.talkStartedMs)));
      if (over !== 'gone' && (await playToEnd(session, media.uri, media.nominalMs))) {
        await finish(core, row.id, MACHINE_MESSAGE_LEFT, { state: RowState.END_CALL, outDialState: MACHINE });
        await hangupAndWait(session);
        return 'done';
      }
    }
  }
  await finish(core, row.id, ResultCode.FAIL, {
    ...machine,
    hangupCause: session.ended?.cause ?? ev.cause ?? null,
    cause: session.ended?.causeText ?? ev.causeText ?? null,
  });
  await hangupAndWait(session);
  return 'done';
}

async function messageMedia(task: TaskRow, speak: SpeakText | undefined): Promise<{ uri: string; nominalMs: number } | undefined> {
  const file = task.amdMessageFile;
  if (file && isAbsolute(file)) {
    const base = file.slice(0, file.length - extname(file).length);
    const wav = await stat(`${base}.wav`).catch(() => undefined);
    if (wav?.isFile()) return { uri: `sound:${base}`, nominalMs: Math.ceil(((wav.size - 44) / 16_000) * 1000) };
    if ((await stat(file).catch(() => undefined))?.isFile()) return { uri: `sound:${base}`, nominalMs: UNKNOWN_LENGTH_MS };
  }
  if (task.amdMessage.trim() && speak) {
    const path = await speak(task.amdMessage).catch(() => undefined);
    if (path) return messageMedia({ ...task, amdMessageFile: path, amdMessage: '' }, undefined);
  }
  return undefined;
}

/** Play to the machine; true when the playback finished while the call was still up. */
async function playToEnd(session: CallSession, uri: string, nominalMs: number): Promise<boolean> {
  const id = `${session.channelId}-amd`;
  const done = session.waitFor(
    (e) => (e.type === 'PlaybackFinished' && e.playback.id === id ? e.playback.state : undefined),
    nominalMs + 5000,
  );
  const r = await session.ari.play(session.channelId, id, [uri]);
  if (!r.ok) return false;
  const state = await done;
  if (state === 'timeout') void session.ari.stopPlayback(id);
  return state === 'done' && !session.ended;
}
