import type { CallSession } from '../session/call-session.js';

/**
 * The customer's key presses not yet used by the survey. The session records every digit from the
 * answer on (before its listeners run), so a key pressed between two waits — while a result is being
 * saved, or before the first prompt starts — is not lost; this is only a read cursor over them.
 */
export function createKeyBuffer(session: CallSession) {
  let used = 0;
  const take = (): string | undefined => (used < session.digits.length ? session.digits[used++] : undefined);
  return {
    /** A key already pressed and not yet used. */
    take,
    /** For session.waitFor: a DTMF event yields the oldest unused key. */
    match: (e: { type: string }): string | undefined => (e.type === 'ChannelDtmfReceived' ? take() : undefined),
  };
}

export type KeyBuffer = ReturnType<typeof createKeyBuffer>;
