import type { CallSession } from '../session/call-session.js';

/** Resolves once the session is over. */
export function whenEnded(session: CallSession): Promise<void> {
  if (session.ended || session.signal.aborted) return Promise.resolve();
  return new Promise((r) => session.signal.addEventListener('abort', () => r(), { once: true }));
}

/**
 * Hang the caller up (if still there) and wait, bounded, for the channel to be gone; the session is ended
 * either way so the registry forgets it.
 */
export async function hangupAndWait(session: CallSession, nominalMs = 10_000): Promise<void> {
  if (session.ended) return;
  const gone = whenEnded(session);
  const r = await session.ari.hangup(session.channelId);
  if (r.ok || r.error !== 'gone') await Promise.race([gone, session.clock.sleep(nominalMs)]);
  session.end({ by: 'local' });
}
