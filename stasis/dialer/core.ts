import type { Clock } from '../../src/clock.js';
import type { Config } from '../../src/config.js';
import type { Db } from '../../src/db/client.js';
import type { CallEvents } from '../../src/events/call-events.js';
import type { EventSink } from '../../src/events/types.js';
import type { Logger } from '../../src/logger.js';
import type { DialerControl, SettingsReader } from '../../src/ports.js';
import type { Owner } from '../../src/services/attempts/index.js';
import type { AriPort } from '../ari/port.js';
import type { SessionRegistry } from '../session/call-session.js';
import type { PromptTts } from '../survey/prompts.js';
import type { RunSurvey } from '../survey/types.js';
import type { AgentAvailability } from './agents.js';
import type { CallBook } from './book.js';
import type { RefusalCounter } from './refusals.js';
import type { Slots } from './slots.js';

export interface DialerDeps {
  config: Config;
  db: Db;
  log: Logger;
  ari: AriPort;
  clock: Clock;
  runSurvey: RunSurvey;
  /** Module-form settings read at call time (callback alert text); absent = environment defaults. */
  settings?: SettingsReader;
  /** Voices the callback alert; absent or not configured = a beep stands in for it. */
  tts?: PromptTts;
  /** True when ARI is the built-in simulator (reported in status()). */
  simulator: boolean;
  /** Where calls, tasks, agents and the ARI connection are announced live (the cockpit, metrics); default none. */
  events?: EventSink;
}

export interface Dialer extends DialerControl {
  start(): Promise<void>;
  /**
   * Graceful stop: no new calls; calls in flight finish until the deadline (seconds, scaled by
   * DIALER_TIME_SCALE; default DIALER_SHUTDOWN_DEADLINE_SECONDS), then are hung up; resolves when all are recorded.
   */
  stop(deadlineSeconds?: number): Promise<void>;
  /** Stop at once without hanging up or recording anything (what a crash leaves behind); for tests. */
  halt(): void;
}

/** What the parts of the dialer share: its dependencies plus the shared call state. */
export interface DialerCore extends Omit<DialerDeps, 'simulator' | 'events'> {
  events: EventSink;
  /** The live events of calls in flight (call.started / answered / ended). */
  calls: CallEvents;
  registry: SessionRegistry;
  book: CallBook;
  agents: AgentAvailability;
  /** Re-evaluate tasks soon (coalesced). */
  kick(): void;
  nowSec(): number;
  /** This node and its current epoch: stamped on every row it claims, and the fence of every write to it. */
  owner(): Owner;
  /** Whether this node dials exten tasks for this extension / queue (DIALER_NODE_TARGETS; empty = all). */
  servesTarget(target: string): boolean;
  /** Retry time for a task's tryInterval, scaled by DIALER_TIME_SCALE. */
  retryAt(tryIntervalSec: number): number;
  /** False after halt(): nothing may be written any more. */
  alive(): boolean;
  /** True while the ARI event socket is up (events are being seen). */
  connected(): boolean;
  /** True once a graceful stop began: calls not yet sent are not sent any more. */
  draining(): boolean;
  /** Bounds originates in flight (see slots.ts). */
  originateSlots: Slots;
  /** Channel allocation refusals per row (see refusals.ts). */
  refusals: RefusalCounter;
  /**
   * Asterisk answered that it cannot dial now (booting, shutting down, unreachable): stop sending, and
   * resynchronise once it answers as ready.
   */
  asteriskNotReady(): void;
}

export const digitsOf = (s: string) => s.replace(/\D/g, '');
