/**
 * Where an endpoint leads, modelled on the recording dialplan (observed.md §5) plus MikoPBX's
 * `internal` context for agents. Pure function of the endpoint string and the world config.
 */
import { AriError } from './errors.js';
import type { WorldConfig } from './world.js';

export type Target =
  | { kind: 'customer'; number: string; via: 'direct' | 'outgoing'; sip: boolean }
  | { kind: 'agent'; ext: string }
  | { kind: 'queue'; queue: string }
  | { kind: 'utility'; exten: string }
  | { kind: 'unallocated' }
  | { kind: 'noRoute' };

export interface ParsedEndpoint {
  tech: string;
  exten: string;
  context: string;
  target: Target;
}

export const QUEUES = ['9000', '9001'];

export function resolveEndpoint(endpoint: string, world: WorldConfig): ParsedEndpoint {
  const slash = endpoint.indexOf('/');
  if (slash <= 0) throw new AriError(400, 'Invalid endpoint');
  const tech = endpoint.slice(0, slash);
  let resource = endpoint.slice(slash + 1).replace(/\/n$/, '');
  if (tech !== 'Local') {
    // A real SIP trunk exists only in the 'sip' trunk mode; otherwise the module is not loaded.
    if (world.trunkMode === 'sip' && (tech === 'PJSIP' || tech === 'SIP')) {
      const number = resource.split('@')[0] ?? '';
      const ok = /^\+?\d+$/.test(number);
      return {
        tech,
        exten: number,
        context: 'from-trunk',
        target: ok ? { kind: 'customer', number, via: 'outgoing', sip: true } : { kind: 'noRoute' },
      };
    }
    throw new AriError(500, 'Allocation failed', 'error');
  }
  const at = resource.lastIndexOf('@');
  const exten = at >= 0 ? resource.slice(0, at) : resource;
  const context = at >= 0 ? resource.slice(at + 1) : 'default';
  resource = exten;
  return { tech, exten, context, target: routeExten(exten, context, world) };
}

function routeExten(exten: string, context: string, world: WorldConfig): Target {
  const sip = world.trunkMode === 'sip';
  switch (context) {
    case 'test-clients':
      return /^\+?\d+$/.test(exten) ? { kind: 'customer', number: exten, via: 'direct', sip: false } : { kind: 'noRoute' };
    case 'outgoing': {
      let m = /^999(\d+)$/.exec(exten) ?? /^0(\d+)$/.exec(exten);
      if (m) return { kind: 'customer', number: m[1]!, via: 'outgoing', sip };
      // Demo convenience (a PBX default route): 5+ plain digits dial the customer as-is.
      m = world.outgoingDefaultRoute ? /^\+?(\d{5,})$/.exec(exten) : null;
      if (m) return { kind: 'customer', number: m[1]!, via: 'outgoing', sip };
      return { kind: 'noRoute' };
    }
    case 'internal':
    case 'test-agents':
      if (world.agents.has(exten)) return { kind: 'agent', ext: exten };
      if (context === 'internal' && QUEUES.includes(exten)) return { kind: 'queue', queue: exten };
      return { kind: 'noRoute' };
    case 'dialer-queue':
      return QUEUES.includes(exten) ? { kind: 'queue', queue: exten } : { kind: 'noRoute' };
    case 'dialer-misc':
      return exten === 'echo' || exten === 'announce' ? { kind: 'utility', exten } : { kind: 'noRoute' };
    case 'default':
      return /^\d{2,}$/.test(exten) ? { kind: 'unallocated' } : { kind: 'noRoute' };
    default:
      return { kind: 'noRoute' };
  }
}
