import type { CallSession } from '../../session/call-session.js';
import { endsChannel } from '../hangup.js';
import type { KeyBuffer } from '../keys.js';

export type GatherResult = { kind: 'key'; key: string } | { kind: 'timeout' } | { kind: 'gone' };

/** Waits for one key (nominal `timeoutMs`, scaled by the session's clock); a key pressed earlier counts at once. */
export async function gather(session: CallSession, keys: KeyBuffer, timeoutMs: number): Promise<GatherResult> {
  const early = keys.take();
  if (early !== undefined) return { kind: 'key', key: early };
  const r = await session.waitFor<{ key: string } | 'gone'>((e) => {
    if (endsChannel(e, session.channelId)) return 'gone';
    const key = keys.match(e);
    return key === undefined ? undefined : { key };
  }, timeoutMs);
  if (r === 'gone' || r === 'timeout') return { kind: r };
  return { kind: 'key', key: r.key };
}
