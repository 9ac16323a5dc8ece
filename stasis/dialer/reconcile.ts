import { ResultCode, RowState } from '../../src/domain/result-codes.js';
import { claimedOpenAttempts, endCall, getAttempt, getTask, lingeringCalls, releaseAttempt, type AttemptRow } from '../../src/services/attempts/index.js';
import type { AriChannel } from '../ari/port.js';
import type { CallEntry } from './book.js';
import { followCustomer } from './call-flow.js';
import { isCallbackTask, operatorChannelId } from './callback-flow.js';
import { digitsOf, type DialerCore } from './core.js';
import { LegEvidence, hangupAndWait, waitAnswered } from './customer-leg.js';
import { finish, track } from './record.js';

/**
 * Reconciliation, at start-up and after every ARI reconnect: make the database and Asterisk agree.
 * - a claimed row whose originate was never sent (no originatedAt) → ready again (it was never an attempt);
 * - a row whose channel is still alive → adopted: still ringing → followed like any call (a callback's customer:
 *   hung up, its operator is gone); already answered (a survey or bridge we can no longer drive) → hung up and
 *   recorded from the evidence;
 * - a row whose channel is gone → a terminal result from the evidence; it is never dialed again as such;
 * - calls we were following whose channel vanished while we were disconnected → ended, and so recorded.
 * Returns false when Asterisk could not be asked (the caller retries).
 */
export async function reconcile(core: DialerCore): Promise<boolean> {
  const askedAt = performance.now();
  const list = await core.ari.listChannels();
  if (!list.ok) return false;
  const alive = new Map(list.value.map((c) => [c.id, c]));

  // A leg whose originate is still in flight (or waiting for a slot) is simply not created yet: only a leg
  // whose originate answer came back before we asked can be declared gone by its absence.
  const answeredAt = new Map<string, number | undefined>();
  for (const c of core.book.all()) {
    answeredAt.set(c.channelId, c.originateAnsweredAt);
    if (c.agentChannelId) answeredAt.set(c.agentChannelId, c.agentOriginateAnsweredAt);
  }
  for (const s of core.registry.all()) {
    const ch = alive.get(s.channelId);
    if (!ch) {
      const at = answeredAt.has(s.channelId) ? answeredAt.get(s.channelId) : -Infinity;
      if (at !== undefined && at < askedAt) s.end({ by: 'remote', causeText: 'gone while ARI was disconnected' });
    } else if (ch.state === 'Up' && !core.registry.started(s.channelId)) {
      // Answered while the event socket was down: its StasisStart was lost, so the flow is told now instead
      // of leaving the customer in silence until the ring guard hangs up.
      core.log.info({ channelId: s.channelId }, 'reconcile: answered while disconnected, resuming the call');
      core.registry.dispatch({ type: 'StasisStart', channel: ch, args: [] });
    }
  }

  // this node's rows only (registration re-stamped those of its earlier runs); other nodes' are theirs
  for (const row of await claimedOpenAttempts(core.db, core.owner().node)) {
    if (core.book.has(row.id)) continue;
    if (row.originatedAt === null || !row.callFile) {
      // A callback rings its operator before the customer's originate is marked sent: that leg may still ring
      // (outside our app, so the sweep below could no longer prove it ours once the row forgets its channel id).
      const operator = row.callFile ? alive.get(operatorChannelId(row.callFile)) : undefined;
      if (operator) {
        core.log.info({ rowId: row.id, channelId: operator.id }, 'reconcile: hanging up the operator of a callback never dialed');
        void core.ari.hangup(operator.id);
      }
      await releaseAttempt(core.db, row.id, core.nowSec(), core.owner());
      core.log.info({ rowId: row.id }, 'reconcile: originate never sent, number is ready again');
      continue;
    }
    const ch = alive.get(row.callFile);
    if (ch) {
      await adopt(core, row, ch.state);
    } else {
      const r = evidenceResult(row);
      await finish(core, row.id, r.result, { state: r.state, cause: row.cause ?? 'channel gone after restart' });
      core.log.info({ rowId: row.id, result: r.result }, 'reconcile: channel gone, recorded');
    }
  }

  // Calls of ours whose rows have their result but that were still up when we stopped: their channels, if any
  // are left, are hung up below; they count no more.
  for (const row of await lingeringCalls(core.db, core.owner().node)) {
    if (!core.book.has(row.id)) await endCall(core.db, row.id, core.owner());
  }

  // Agent legs (an adopted call is never re-bridged) and utility channels left by an earlier run or before
  // a reconnect: hang them up; the utility channel is created afresh after reconciliation. Only channels
  // provably ours: another dialer or application on the same PBX may use ids that look like ours.
  core.agents.forgetUtilityChannel();
  for (const ch of alive.values()) {
    if (core.registry.get(ch.id) || !(await provablyOurs(core, ch))) continue;
    core.log.info({ channelId: ch.id }, 'reconcile: hanging up a leftover channel of ours');
    void core.ari.hangup(ch.id);
  }
  core.kick();
  return true;
}

/**
 * A live channel we follow no more is ours to hang up only when provably so: it sits in OUR Stasis app (our
 * utility channel; Asterisk shows the app in the channel's dialplan location), or its id is the exact channel id
 * one of our rows recorded before dialing (a customer leg, its "-agent" leg or the "op-" operator leg of a
 * callback, e.g. ringing or in a queue, outside Stasis). The ";2" half of a Local channel goes with its ";1".
 */
async function provablyOurs(core: DialerCore, ch: AriChannel): Promise<boolean> {
  if (ch.id.includes(';')) return false;
  if (ch.dialplan?.app_name === 'Stasis' && (ch.dialplan.app_data ?? '').split(',')[0] === core.ari.app) return true;
  const m = /^(op-)?(dlr-(\d+)-\d+-[a-z0-9]+)(-agent)?$/.exec(ch.id);
  if (!m || (m[1] && m[4])) return false;
  return (await getAttempt(core.db, Number(m[3])))?.callFile === m[2];
}

/** What a row in flight whose call can no longer be followed is closed with, from what it recorded. */
export function evidenceResult(row: AttemptRow): { result: string; state: string } {
  if (row.state === RowState.EVENT_POLLING) return { result: ResultCode.FAIL_POLLING, state: RowState.END_CALL };
  if (row.inDialState === 'ANSWER') return { result: ResultCode.SUCCESS, state: RowState.END_CALL };
  if (row.state === RowState.CREATE_CALL_FILE) return { result: ResultCode.FAIL, state: RowState.FAILED_ORIGINATE };
  return { result: ResultCode.FAIL, state: RowState.END_CALL };
}

async function adopt(core: DialerCore, row: AttemptRow, channelState: string): Promise<void> {
  const task = await getTask(core.db, row.taskId);
  const target = task && task.innerNumType !== 'polling' ? digitsOf(task.innerNum) || undefined : undefined;
  const call: CallEntry = {
    rowId: row.id,
    taskId: row.taskId,
    clientId: row.clientId,
    target,
    channelId: row.callFile!,
    bridged: false,
    originateAnsweredAt: performance.now(),
  };
  core.book.add(call);
  const session = core.registry.create(call.channelId, { rowId: row.id, adopted: true });
  const ev = LegEvidence.follow(session);
  core.log.info({ rowId: row.id, channelState }, 'reconcile: adopting a live call');

  const flow = async () => {
    // A callback's customer still ringing is not followed: its operator's leg is gone with the restart (hung up
    // below), so nobody would be there when the customer answers. Hung up and recorded like an answered call.
    if (channelState !== 'Up' && task && !isCallbackTask(task)) {
      await followCustomer(core, task, row, call, session, ev, waitAnswered(session, (core.config.dialing.ringTimeoutSeconds + 30) * 1000));
      return;
    }
    // Answered before the restart: whatever ran on it (survey, bridge) cannot be resumed.
    await hangupAndWait(session);
    const r = evidenceResult(row);
    await finish(core, row.id, r.result, {
      state: RowState.END_CALL,
      cause: 'hung up after restart',
    });
  };
  track(core, call, flow(), 'adopted call');
}
