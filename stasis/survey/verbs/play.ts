import { randomUUID } from 'node:crypto';
import type { CallSession } from '../../session/call-session.js';
import { endsChannel } from '../hangup.js';
import type { KeyBuffer } from '../keys.js';
import type { Prompt } from '../prompts.js';

export type PlayResult =
  | { kind: 'done' }
  | { kind: 'key'; key: string }
  | { kind: 'failed'; reason: string }
  | { kind: 'gone' };

/**
 * Plays one prompt and waits until it has finished. With `bargeIn`, a key pressed during the prompt (or
 * already pressed before it) stops it and is returned. Never waits forever: a prompt that Asterisk cannot
 * play (PlaybackFinished state=failed) or that does not finish within its length plus `marginMs` is
 * reported as failed and the survey moves on.
 */
export async function play(session: CallSession, prompt: Prompt, opts: { bargeIn?: KeyBuffer; marginMs: number }): Promise<PlayResult> {
  const keys = opts.bargeIn;
  const early = keys?.take();
  if (early !== undefined) return { kind: 'key', key: early };
  const playbackId = `survey-${randomUUID()}`;
  let active = true; // once we stop waiting, this waiter must not consume keys meant for the next wait
  const finished = session.waitFor<PlayResult>((e) => {
    if (!active) return undefined;
    if (endsChannel(e, session.channelId)) return { kind: 'gone' };
    if (e.type === 'PlaybackFinished' && e.playback.id === playbackId) {
      return e.playback.state === 'failed' ? { kind: 'failed', reason: `Asterisk could not play ${prompt.uri}` } : { kind: 'done' };
    }
    const key = keys?.match(e);
    return key === undefined ? undefined : { kind: 'key', key };
  }, prompt.nominalMs + opts.marginMs);

  const started = await session.ari.play(session.channelId, playbackId, [prompt.uri]);
  if (!started.ok) {
    active = false;
    if (started.error === 'gone') return { kind: 'gone' };
    return { kind: 'failed', reason: `playing ${prompt.uri} was refused: ${started.message}` };
  }
  const r = await finished;
  active = false;
  if (r === 'gone') return { kind: 'gone' };
  if (r === 'timeout') {
    await session.ari.stopPlayback(playbackId);
    return { kind: 'failed', reason: `${prompt.uri} did not finish within ${prompt.nominalMs + opts.marginMs} ms` };
  }
  if (r.kind === 'key') await session.ari.stopPlayback(playbackId); // barge-in; 'gone' here just means it had ended
  return r;
}
