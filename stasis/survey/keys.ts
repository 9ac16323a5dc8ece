import type { CallSession } from '../session/call-session.js';

/**
 * The customer's key presses, buffered from the moment the call was answered (the session keeps the
 * digits received before the survey started), so a key pressed between two waits (while a result is
 * being saved, or before the first prompt starts) is not lost.
 */
export function createKeyBuffer(session: CallSession) {
  const buffered: string[] = [...session.digits];
  // Registered before any wait, so it sees each DTMF event before the waiter that consumes it.
  const off = session.on((e) => {
    if (e.type === 'ChannelDtmfReceived' && e.channel.id === session.channelId) buffered.push(e.digit);
  });
  return {
    /** A key already pressed and not yet used. */
    take: (): string | undefined => buffered.shift(),
    /** For session.waitFor: a DTMF event yields the oldest buffered key. */
    match: (e: { type: string }): string | undefined => (e.type === 'ChannelDtmfReceived' ? buffered.shift() : undefined),
    close: off,
  };
}

export type KeyBuffer = ReturnType<typeof createKeyBuffer>;
