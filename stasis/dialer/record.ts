import { ResultCode, RowState } from '../../src/domain/result-codes.js';
import { endCall, finishAttempt, recordTrail, type TrailFields } from '../../src/services/attempts/index.js';
import type { CallEntry } from './book.js';
import type { DialerCore } from './core.js';

/**
 * Thin wrappers that stamp time, respect halt(), fence by this node's ownership of the row, and log what
 * was recorded. A write that finds the row no longer ours (a peer took it over while our lease had run out,
 * or signal-close closed it) changes nothing.
 */
export async function trail(core: DialerCore, rowId: number, f: TrailFields): Promise<void> {
  if (!core.alive()) return;
  await recordTrail(core.db, rowId, f, core.nowSec(), core.owner());
}

export async function finish(core: DialerCore, rowId: number, result: string, f: TrailFields, noRetry = false): Promise<void> {
  if (!core.alive()) return;
  const out = await finishAttempt(core.db, rowId, result, f, { nowSec: core.nowSec(), retryAt: core.retryAt, noRetry, owner: core.owner() });
  if (out.closed) core.calls.finished(rowId, result, f.outDialState);
  core.log.debug({ rowId, result, ...f, ...out }, out.closed ? 'attempt recorded' : 'attempt not ours any more (closed or taken over): nothing recorded');
}

/**
 * A call flow threw: hang up whatever legs of the call may still exist and end their sessions, so no phone
 * is left ringing or connected to nobody and the sessions do not stay registered.
 */
export function abandonCall(core: DialerCore, call: CallEntry): void {
  for (const id of [call.channelId, call.agentChannelId]) {
    if (!id) continue;
    core.registry.get(id)?.end({ by: 'local' });
    if (core.alive()) void core.ari.hangup(id).catch(() => undefined);
  }
}

/**
 * Run a call's flow in the background until it is recorded: if it throws, its legs are abandoned and the
 * attempt is recorded FAIL; either way the call is then marked ended (inCall), leaves the book, and the scheduler
 * re-evaluates.
 */
export function track(core: DialerCore, call: CallEntry, flow: Promise<void>, what: string): void {
  call.done = flow
    .catch(async (err: unknown) => {
      core.log.error({ err, rowId: call.rowId }, `${what} failed`);
      abandonCall(core, call);
      try {
        await finish(core, call.rowId, ResultCode.FAIL, { state: RowState.END_CALL, cause: 'internal error' });
      } catch (e) {
        core.log.error({ err: e, rowId: call.rowId }, 'could not record the failed call');
      }
    })
    .finally(async () => {
      // its channels are gone: every node may count one call less (before our own book does, so never too few)
      if (core.alive()) await endCall(core.db, call.rowId, core.owner()).catch((err: unknown) => core.log.error({ err, rowId: call.rowId }, 'could not mark the call ended'));
      core.book.remove(call);
      core.calls.left(call.rowId);
      if (call.target) core.agents.ownCallChanged(call.target);
      core.kick();
    });
}
