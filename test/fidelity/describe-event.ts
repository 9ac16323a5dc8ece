/**
 * The compact, id- and time-free form in which events are compared (as written in observed.md, e.g.
 * "Dial(BUSY)", "ChannelDestroyed(17)"), and the chatter observed.md §2 says to leave out.
 */
import type { AriEvent } from './ari-session.js';

export const NOISE = new Set(['ChannelVarset', 'ChannelDialplan', 'ChannelCallerId', 'ChannelConnectedLine']);

export function describeEvent(e: AriEvent): string {
  switch (e.type) {
    case 'Dial': return `Dial(${e.dialstatus})`;
    case 'ChannelStateChange': return `ChannelStateChange(${e.channel.state})`;
    case 'ChannelDestroyed': return `ChannelDestroyed(${e.cause})`;
    case 'ChannelHangupRequest': return `ChannelHangupRequest(${e.cause}${e.soft ? ',soft' : ''})`;
    case 'StasisStart': return `StasisStart(${e.channel.state})`;
    case 'ChannelDtmfReceived': return `ChannelDtmfReceived(${e.digit})`;
    case 'PlaybackStarted':
    case 'PlaybackContinuing':
    case 'PlaybackFinished': return `${e.type}(${e.playback.state})`;
    case 'DeviceStateChanged': return `DeviceStateChanged(${e.device_state.state})`;
    default: return e.type;
  }
}
