/**
 * Channel variables and the dialplan functions the dialer reads through them. As on Asterisk,
 * GET /asterisk/variable never evaluates functions (returns ""), POST /asterisk/variable does.
 */
import { setTalkDetect } from './talk.js';
import type { SimChannel } from './channel.js';
import type { SimContext } from './context.js';
import { AriError } from './errors.js';

const FUNC = /^([A-Z_]+)\((.*)\)$/;

export function readChannelVar(ctx: SimContext, ch: SimChannel, variable: string): string {
  const m = FUNC.exec(variable);
  if (!m) {
    const v = ch.vars.get(variable) ?? ctx.engine.globals.get(variable);
    if (v === undefined) throw new AriError(404, 'Provided variable was not found');
    return v;
  }
  const [, fn, argText] = m;
  const args = argText!.split(',').map((s) => s.trim());
  switch (fn) {
    case 'CHANNEL':
      switch (args[0]) {
        case 'linkedid': return ch.linkedid;
        // As on Asterisk 22: the log call id ([C-…]) exists only on a channel that ran dialplan (a Local ;2),
        // not on the channel an app originated or created (its ;1), which went straight to Stasis.
        case 'callid': return ch.name.endsWith(';2') ? ch.callid : '';
        case 'state': return ch.state;
        case 'name': return ch.name;
        case 'uniqueid': return ch.id;
        case 'language': return 'en';
        default: return '';
      }
    case 'DEVICE_STATE':
      return ctx.devices.state(args[0] ?? '');
    case 'EXTENSION_STATE':
      return ctx.devices.extensionState(args[0] ?? '');
    case 'QUEUE_MEMBER':
      return ctx.devices.queueMember(args);
    case 'QUEUE_EXISTS':
      if (!args[0]) throw new AriError(500, 'Unable to read provided function');
      return ctx.devices.queueExists(args[0]) ? '1' : '0';
    case 'CALLERID':
      return args[0] === 'name' ? ch.caller.name : ch.caller.number;
    default:
      return '';
  }
}

export function setChannelVar(ctx: SimContext, ch: SimChannel | undefined, variable: string, value: string): void {
  if (!variable) throw new AriError(400, 'Variable name is required');
  const m = FUNC.exec(variable);
  if (m && m[1] === 'QUEUE_MEMBER') return ctx.devices.setQueueMember(m[2]!.split(',').map((s) => s.trim()), value);
  if (m && m[1] === 'TALK_DETECT' && ch) return setTalkDetect(ctx.engine, ch, m[2]!.trim(), value);
  if (m) return; // other functions: accepted, no effect in the simulator
  if (ch) ch.vars.set(variable, value);
  else ctx.engine.globals.set(variable, value);
}

export function readGlobalVar(ctx: SimContext, variable: string): string {
  if (!variable) throw new AriError(400, 'Variable name is required');
  if (FUNC.test(variable)) return '';
  return ctx.engine.globals.get(variable) ?? '';
}
