import type { CallSession } from './call-session.js';

/** Resolves when the session is over. */
export function whenEnded(session: CallSession): Promise<void> {
  if (session.ended || session.signal.aborted) return Promise.resolve();
  return new Promise((r) => session.signal.addEventListener('abort', () => r(), { once: true }));
}

/**
 * Hang up (if still up) and wait, bounded, for the channel to be gone (so the dialer's pacing never overlaps
 * calls); the session is ended either way so its registry forgets it.
 */
export async function hangupAndWait(session: CallSession, nominalMs = 10_000): Promise<void> {
  if (session.ended) return;
  const gone = whenEnded(session);
  const r = await session.ari.hangup(session.channelId);
  if (!r.ok && r.error === 'gone') {
    session.end({ by: 'local' });
    return;
  }
  await Promise.race([gone, session.clock.sleep(nominalMs)]);
  session.end({ by: 'local' });
}
