import { finishAttempt, recordTrail, type TrailFields } from '../../src/services/attempts/index.js';
import type { DialerCore } from './core.js';

/** Thin wrappers that stamp time, respect halt(), and log what was recorded. */
export function trail(core: DialerCore, rowId: number, f: TrailFields): void {
  if (!core.alive()) return;
  recordTrail(core.db, rowId, f, core.nowSec());
}

export function finish(core: DialerCore, rowId: number, result: string, f: TrailFields, noRetry = false): void {
  if (!core.alive()) return;
  const out = finishAttempt(core.db, rowId, result, f, { nowSec: core.nowSec(), retryAt: core.retryAt, noRetry });
  core.log.debug({ rowId, result, ...f, ...out }, 'attempt recorded');
}
