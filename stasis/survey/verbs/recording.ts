import type { AriLiveRecording } from '../../ari/port.js';
import type { CallSession } from '../../session/call-session.js';

export type RecordingState = 'starting' | 'recording' | 'done' | 'failed';

/**
 * Follows one ARI recording on a call: RecordingStarted / RecordingFinished / RecordingFailed for `name`.
 * Subscribed before the record request is sent (its events may arrive before the HTTP answer).
 */
export function followRecording(session: CallSession, name: string) {
  let state: RecordingState = 'starting';
  let last: AriLiveRecording | undefined;
  const off = session.on((e) => {
    if (e.type !== 'RecordingStarted' && e.type !== 'RecordingFinished' && e.type !== 'RecordingFailed') return;
    if (e.recording.name !== name) return;
    last = e.recording;
    if (e.type === 'RecordingStarted' && state === 'starting') state = 'recording';
    if (e.type === 'RecordingFinished') state = 'done';
    if (e.type === 'RecordingFailed') state = 'failed';
  });
  return {
    get state() {
      return state;
    },
    get recording() {
      return last;
    },
    get ended() {
      return state === 'done' || state === 'failed';
    },
    /** session.waitFor matcher: the recording ended. */
    endedEvent(e: { type: string; recording?: { name: string } }): boolean {
      return (e.type === 'RecordingFinished' || e.type === 'RecordingFailed') && e.recording?.name === name;
    },
    stop: off,
  };
}

export type FollowedRecording = ReturnType<typeof followRecording>;

/** ARI recording names become file names under Asterisk's recording dir: keep them plain and flat. */
export function recordingName(parts: string[]): string {
  return parts
    .join('-')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/\.{2,}/g, '.');
}
