import type { AriEvent } from '../ari/port.js';

/** Soft-hangup flags that do not end the call: AST_SOFTHANGUP_ASYNCGOTO (redirect) and AST_SOFTHANGUP_UNBRIDGE. */
const NOT_ENDING = 0x02 | 0x40;

/**
 * True for a ChannelHangupRequest that ends this channel: the far end hung up (no `soft`), or a soft hangup
 * such as an ARI DELETE (32) or a module unload (16).
 *
 * Asterisk 22 reports a customer hanging up during a playback as ChannelHangupRequest, PlaybackFinished
 * (state=failed), and only in later WebSocket messages StasisEnd and ChannelDestroyed (observed.md F6). Until
 * those arrive the session is not ended, so without this the survey would take the failed playback for a
 * prompt that could not be played and carry on — ending a survey whose last step was a playback action with
 * SUCCESS_POLLING although the customer hung up during it.
 */
export function endsChannel(e: AriEvent, channelId: string): boolean {
  if (e.type !== 'ChannelHangupRequest' || e.channel.id !== channelId) return false;
  return !e.soft || e.cause === undefined || (e.cause & ~NOT_ENDING) !== 0;
}
