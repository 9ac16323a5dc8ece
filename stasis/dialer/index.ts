import { CallEvents } from '../../src/events/call-events.js';
import { noEvents } from '../../src/events/types.js';
import type { DialerStatus } from '../../src/ports.js';
import { endLease } from '../../src/services/nodes/index.js';
import type { AriPort } from '../ari/port.js';
import { SessionRegistry } from '../session/call-session.js';
import { AgentAvailability } from './agents.js';
import { CallBook } from './book.js';
import type { Dialer, DialerCore, DialerDeps } from './core.js';
import { NodeLease } from './node-lease.js';
import { reconcile } from './reconcile.js';
import { Scheduler } from './scheduler.js';
import { drain } from './shutdown.js';
import { RefusalCounter } from './refusals.js';
import { ORIGINATE_SLOTS, Slots } from './slots.js';

export type { Dialer, DialerDeps } from './core.js';

/**
 * The dialer: turns open tasks into calls through ARI and records every attempt. See docs/dialer.md.
 */
export function createDialer(deps: DialerDeps): Dialer {
  const { config, clock } = deps;
  const log = deps.log.child({ component: 'dialer' });
  let connected = false;
  let draining = false;
  let halted = false;
  let started = false;
  let reconciling: Promise<void> | undefined;
  let probing = false;
  /** Once the port reported a connection state, it (not an HTTP probe) says whether events flow. */
  let portReported = false;
  let safetyTimer: NodeJS.Timeout | undefined;
  const offs: (() => void)[] = [];

  const events = deps.events ?? noEvents;
  const calls = new CallEvents(events, deps.db);
  // After halt() nothing may reach Asterisk any more (a crashed process sends nothing). Every originate that
  // goes out is seen here: a booked customer leg's is the call's start.
  const ari = announced(haltable(deps.ari, () => halted), calls, () => halted);
  /** The one place `connected` changes, so ari.connection is announced on every change and only then. */
  const setConnected = (v: boolean) => {
    if (v !== connected) events.publish({ type: 'ari.connection', state: v ? 'connected' : 'disconnected' });
    connected = v;
  };
  const book = new CallBook();
  const registry = new SessionRegistry(ari, clock, log);
  let scheduler: Scheduler;
  const agents = new AgentAvailability({
    ari,
    log,
    queues: config.dialing.queues,
    agentDevice: config.dialing.agentDevice,
    utilityEndpoint: config.dialing.utilityEndpoint,
    onChange: () => scheduler.kick(),
    events,
  });
  const targets = new Set(config.node.targets);
  const core: DialerCore = {
    config,
    db: deps.db,
    log,
    ari,
    clock,
    events,
    calls,
    runSurvey: deps.runSurvey,
    settings: deps.settings,
    tts: deps.tts,
    registry,
    book,
    agents,
    kick: () => scheduler.kick(),
    nowSec: () => clock.now() / 1000,
    owner: () => lease.owner,
    servesTarget: (t) => targets.size === 0 || targets.has(t),
    retryAt: (tryIntervalSec) => Math.ceil((clock.now() + clock.scaled(tryIntervalSec * 1000)) / 1000),
    alive: () => !halted,
    draining: () => draining,
    connected: () => connected,
    originateSlots: new Slots(ORIGINATE_SLOTS),
    refusals: new RefusalCounter(),
    asteriskNotReady,
  };
  scheduler = new Scheduler(core);
  const lease = new NodeLease(core, () => void leaseLost(), () => scheduler.enabled);
  scheduler.onLeaseLost = () => void leaseLost();

  /**
   * Our lease ran out (the database was unreachable, or the process stalled, for longer than the lease):
   * peers may have taken some of our calls over. Stop dialing and take the lease back under the same epoch:
   * the calls still running here go on writing their rows, and the writes of those a peer took over change
   * nothing (their rows are closed, or back in the queue with no owner, and a number whose call is still in our
   * book is never claimed by us again meanwhile). Only if another process took our node id is there a new epoch
   * and a resynchronisation.
   */
  let reregistering: Promise<void> | undefined;
  function leaseLost(): Promise<void> {
    if (reregistering || halted || draining) return reregistering ?? Promise.resolve();
    scheduler.enabled = false;
    reregistering = (async () => {
      for (let delay = 500; !halted && !draining; delay = Math.min(delay * 2, 10_000)) {
        try {
          if (!(await lease.regain()) && connected) await resync();
          else if (connected) {
            scheduler.enabled = !draining && !halted;
            scheduler.kick();
          }
          return;
        } catch (err) {
          log.error({ err }, 'registering the node again failed; retrying');
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    })().finally(() => (reregistering = undefined));
    return reregistering;
  }

  /**
   * An originate was refused because Asterisk is not ready (it shuts down with the event socket still up, or
   * boots): nothing is sent for a moment, then a resynchronisation waits until Asterisk answers as ready. If
   * the socket drops meanwhile, the reconnect resynchronises instead.
   */
  let notReadyTimer: NodeJS.Timeout | undefined;
  function asteriskNotReady(): void {
    if (halted || draining) return;
    scheduler.enabled = false;
    if (notReadyTimer || reconciling) return;
    notReadyTimer = setTimeout(() => {
      notReadyTimer = undefined;
      if (connected && !halted && !draining) void resync();
    }, NOT_READY_PAUSE_MS);
    notReadyTimer.unref?.();
  }

  /** Reconcile, retrying until Asterisk answers; only then may new calls start. */
  function resync(): Promise<void> {
    if (reconciling) return reconciling;
    scheduler.enabled = false;
    reconciling = (async () => {
      for (let delay = 200; !halted && !draining && connected; delay = Math.min(delay * 2, 5000)) {
        if (await reconcile(core).catch((err: unknown) => (log.error({ err }, 'reconcile failed'), false))) {
          agents.refreshAll();
          scheduler.enabled = !draining && !halted && connected;
          lease.renewSoon(); // peers share survey tasks with us from now on
          scheduler.kick();
          return;
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    })().finally(() => (reconciling = undefined));
    return reconciling;
  }

  return {
    tasksChanged: () => {
      scheduler.kick();
      // other nodes sharing the database (PostgreSQL) hear it too; a no-op on SQLite
      void deps.db.notify(TASKS_CHANNEL).catch((err: unknown) => log.warn({ err }, 'could not notify other nodes'));
    },
    status: (): DialerStatus => ({
      ari: connected ? 'connected' : 'disconnected',
      simulator: deps.simulator,
      callsInFlight: book.size,
      draining,
      ariTransport: deps.ari.restTransport,
      node: { id: lease.owner.node, epoch: lease.owner.epoch },
    }),

    async start() {
      if (started) return;
      started = true;
      await lease.register();
      lease.start();
      await deps.db.listen(TASKS_CHANNEL, () => scheduler.kick());
      offs.push(
        ari.onEvent((e) => {
          if (halted) return;
          registry.dispatch(e);
          if (e.type === 'StasisStart') calls.entered(e.channel.id);
          if (e.type === 'DeviceStateChanged') agents.onDeviceState(e.device_state.name, e.device_state.state);
        }),
        ari.onConnection((s) => {
          if (halted) return;
          portReported = true;
          setConnected(s === 'connected');
          if (connected) void resync();
          else scheduler.enabled = false;
        }),
      );
      const probe = await ari.listChannels();
      setConnected(probe.ok);
      if (connected) await resync();
      else log.warn('ARI not reachable yet; dialing starts when it connects');
      const tick = config.dialing.safetyTickSeconds * 1000;
      safetyTimer = setInterval(() => {
        if (!connected && !portReported && !reconciling && !probing && !halted && !draining) {
          // Never connected (the first probe failed) and no connection event will come while the port's
          // socket stays up: ask again, and resynchronise once Asterisk answers.
          probing = true;
          void ari
            .listChannels()
            .then((p) => {
              if (p.ok && !connected && !portReported && !halted && !draining) {
                setConnected(true);
                log.info('ARI reachable now; resynchronising');
                void resync();
              }
            })
            .finally(() => (probing = false));
          return;
        }
        if (!scheduler.enabled) return;
        agents.refreshAll();
        scheduler.kick();
      }, tick);
      safetyTimer.unref?.();
    },

    async stop(deadlineSeconds = config.dialing.shutdownDeadlineSeconds) {
      if (draining || halted) return;
      draining = true;
      scheduler.stop();
      clearInterval(safetyTimer);
      clearTimeout(notReadyTimer);
      await drain(core, clock.scaled(deadlineSeconds * 1000));
      lease.stop();
      await endLease(deps.db, lease.owner).catch((err: unknown) => log.warn({ err }, 'could not end the node lease'));
      await agents.close();
      for (const off of offs.splice(0)) off();
    },

    halt() {
      halted = true;
      lease.stop();
      scheduler.stop();
      clearInterval(safetyTimer);
      clearTimeout(notReadyTimer);
      for (const off of offs.splice(0)) off();
      for (const s of registry.all()) s.end({ by: 'local' });
    },
  };
}

/** NOTIFY channel on which any node tells every node that tasks or numbers changed. */
const TASKS_CHANNEL = 'autodialer_tasks';

/** Real milliseconds without originates after Asterisk said it is not ready, before asking it again. */
const NOT_READY_PAUSE_MS = 1000;

/** The port, with every originate that really goes out announced before it is sent. */
function announced(ari: AriPort, calls: CallEvents, halted: () => boolean): AriPort {
  return new Proxy(ari, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'originate' || typeof v !== 'function') return v;
      return (p: Parameters<AriPort['originate']>[0]) => {
        if (!halted() && p.channelId) calls.originating(p.channelId);
        return (v as AriPort['originate']).call(target, p);
      };
    },
  });
}

function haltable(ari: AriPort, halted: () => boolean): AriPort {
  const dead = Promise.resolve({ ok: false as const, error: 'failed' as const, status: 0, message: 'dialer halted' });
  return new Proxy(ari, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || prop === 'onEvent' || prop === 'onConnection' || prop === 'close') {
        return typeof v === 'function' ? v.bind(target) : v;
      }
      return (...args: unknown[]) => (halted() ? dead : (v as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}
