import type { Clock } from '../../src/clock.js';
import type { Db } from '../../src/db/client.js';
import type { Logger } from '../../src/logger.js';
import type { AriChannel, AriEvent, AriPort } from '../ari/port.js';
import { SessionRegistry } from '../session/call-session.js';
import type { RunSurvey } from '../survey/types.js';
import { runInboundCall } from './call.js';
import { hangupAndWait } from '../session/ending.js';

export interface InboundDeps {
  db: Db;
  log: Logger;
  ari: AriPort;
  clock: Clock;
  runSurvey: RunSurvey;
  /** DIALER_INTERNAL_CONTEXT: where a `dial` action sends the caller. */
  internalContext: string;
}

export interface Inbound {
  /** Start taking calls that enter the app as Stasis(<app>,inbound,<exten>). */
  start(): void;
  /** Take no new calls; let those in progress finish until the deadline (real ms), then hang them up. */
  stop(deadlineMs?: number): Promise<void>;
  /**
   * The port the dialer should get: the same, except that GET /channels leaves out inbound calls, so the
   * dialer's reconciliation (which hangs up channels in our app it does not know) never cuts a caller off.
   */
  hideFrom(ari: AriPort): AriPort;
  readonly callsInFlight: number;
}

/** First Stasis argument that marks an inbound call (asterisk-conf/extensions.conf). */
export const INBOUND_ARG = 'inbound';

/**
 * Inbound polls: callers who dial a configured number. Separate from the dialer, which only follows the channels
 * it originated (its session registry ignores events of any other channel); this area keeps its own registry.
 */
export function createInbound(deps: InboundDeps): Inbound {
  const log = deps.log.child({ component: 'inbound' });
  const registry = new SessionRegistry(deps.ari, deps.clock, log);
  const running = new Set<Promise<void>>();
  let off: (() => void) | undefined;
  let accepting = false;

  const onEvent = (e: AriEvent) => {
    if (e.type === 'StasisStart' && e.args[0] === INBOUND_ARG && !registry.get(e.channel.id)) accept(e.channel, e.args[1] ?? '');
    registry.dispatch(e);
  };

  function accept(channel: AriChannel, exten: string): void {
    const callerId = channel.caller?.number ?? '';
    const session = registry.create(channel.id, { inbound: exten, callerId });
    if (!accepting) {
      // Stopping: do not start a poll we would cut short at once.
      void hangupAndWait(session);
      return;
    }
    const p = runInboundCall({ db: deps.db, runSurvey: deps.runSurvey, internalContext: deps.internalContext }, session, { exten, callerId })
      .catch((err: unknown) => log.error({ err }, 'inbound call handler failed'))
      .finally(() => {
        running.delete(p);
        session.end({ by: 'local' });
      });
    running.add(p);
  }

  const owned = (c: AriChannel) => {
    if (registry.get(c.id)) return true;
    // A caller still ringing in our app whose StasisStart has not reached us yet (a reconnect races it). An
    // answered caller we do not follow is a leftover of an earlier run: the dialer may hang it up.
    const [app, arg] = (c.dialplan?.app_name === 'Stasis' ? (c.dialplan.app_data ?? '') : '').split(',');
    return c.state !== 'Up' && app === deps.ari.app && arg === INBOUND_ARG;
  };

  return {
    start() {
      if (off) return;
      accepting = true;
      off = deps.ari.onEvent((e) => {
        try {
          onEvent(e);
        } catch (err) {
          log.error({ err, type: e.type }, 'inbound event handling failed');
        }
      });
    },
    async stop(deadlineMs = 10_000) {
      accepting = false;
      // Like the dialer's drain: polls in progress may finish until the deadline, then the callers are hung up.
      const bound = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref?.());
      if (running.size > 0) {
        log.info({ calls: running.size, deadlineMs }, 'stopping: waiting for inbound calls in progress');
        await Promise.race([Promise.all(running), bound(deadlineMs)]);
      }
      if (running.size > 0) {
        log.warn({ calls: running.size }, 'shutdown deadline reached: hanging up inbound calls');
        await Promise.all(registry.all().map((s) => hangupAndWait(s, 5000)));
        await Promise.race([Promise.all(running), bound(2000)]);
      }
      off?.();
      off = undefined;
      for (const s of registry.all()) s.end({ by: 'local' });
    },
    hideFrom(ari: AriPort): AriPort {
      return new Proxy(ari, {
        get(target, prop, receiver) {
          if (prop === 'listChannels') {
            return async () => {
              const r = await target.listChannels();
              return r.ok ? { ok: true as const, value: r.value.filter((c) => !owned(c)) } : r;
            };
          }
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === 'function' ? v.bind(target) : v;
        },
      });
    },
    get callsInFlight() {
      return running.size;
    },
  };
}
