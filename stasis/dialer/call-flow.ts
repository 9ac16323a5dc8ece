import { ResultCode, RowState } from '../../src/domain/result-codes.js';
import { markOriginateSentUnlessDnc, releaseAttempt, type AttemptRow, type TaskRow } from '../../src/services/attempts/index.js';
import type { AriChannel, AriResult } from '../ari/port.js';
import type { CallSession } from '../session/call-session.js';
import { connectAgent } from './agent-connect.js';
import { runCallback, isCallbackTask } from './callback-flow.js';
import { screenAnswered, speakWith } from './amd.js';
import type { CallEntry } from './book.js';
import { classifyUnanswered } from './classify.js';
import type { DialerCore } from './core.js';
import { LegEvidence, hangupAndWait, waitAnswered, whenEnded } from './customer-leg.js';
import { finish, trail } from './record.js';
import { sendOrderOf } from './send-order.js';

/** Nominal margin over the ring timeout Asterisk applies, before we stop waiting ourselves. */
const RING_GUARD_MS = 30_000;

/**
 * One attempt from originate to recorded result. The row is already claimed (CreateCallFile + channel id +
 * owner; originatedAt is written here, right before the originate) and the call is in the book.
 */
export async function runCall(core: DialerCore, task: TaskRow, row: AttemptRow, call: CallEntry): Promise<void> {
  if (isCallbackTask(task)) return runCallback(core, task, row, call);
  const o = await originateCustomer(core, task, row, call);
  if (o.kind === 'ringing') await followCustomer(core, task, row, call, o.session, o.ev, o.answered);
}

/** What became of a customer originate: ringing (follow it), or over (released / recorded / halted) or unwanted. */
export type CustomerOriginate =
  | { kind: 'ringing'; session: CallSession; ev: LegEvidence; answered: Promise<'answered' | 'timeout' | 'gone'> }
  /** Never an attempt (the row is ready again), recorded as refused, or the dialer halted: nothing to follow. */
  | { kind: 'over' }
  /** `wanted()` turned false before the request went out: nothing was sent and the row is the caller's to record. */
  | { kind: 'unwanted' };

/**
 * Originate the customer of a claimed row: wait for an originate slot, mark the row sent (awaited, so a crash
 * after it never dials the number again), keep the claim order (send-order.ts), send, and deal with an
 * originate Asterisk refused. `wanted` (e.g. "the operator of a callback is still on the line") is checked
 * with the other reasons not to send, right before the mark and again right before the request.
 */
export async function originateCustomer(
  core: DialerCore,
  task: TaskRow,
  row: AttemptRow,
  call: CallEntry,
  wanted: () => boolean = () => true,
): Promise<CustomerOriginate> {
  const { ari, config } = core;
  const session = core.registry.create(call.channelId, { rowId: row.id, taskId: task.id });
  const ev = LegEvidence.follow(session);
  const ringSec = config.dialing.ringTimeoutSeconds;
  // The settings' default prefix (module form), read now so a change applies to the next call.
  const prefix = task.dialPrefix || (core.settings ? (await core.settings.current()).defaultDialPrefix : config.dialing.defaultDialPrefix);
  const endpoint = config.dialing.originateEndpoint.replaceAll('{prefix}', prefix).replaceAll('{number}', row.phone);
  const over = (): CustomerOriginate => ({ kind: 'over' });

  // Marked sent only once a connection is free for it, right before it goes out (see slots.ts).
  await core.originateSlots.acquire();
  if (!core.alive()) return core.originateSlots.release(), over(); // halted: a crash sends and writes nothing
  const place = sendOrderOf(core).take();
  let answered: Promise<'answered' | 'timeout' | 'gone'>;
  let sent: Promise<AriResult<AriChannel>>;
  try {
    // Disconnected (or the session was ended by a reconciliation meanwhile): the events of this call could be
    // lost, so it is not sent now; the number is ready again once the dialer has resynchronised.
    const sendable = () => !core.draining() && core.connected() && !session.ended;
    let marked: boolean;
    let mark: 'sent' | 'dnc' | 'refused' = 'refused';
    const go = wanted();
    try {
      // Written, and the write awaited, before the request goes out: after a crash the row is known as maybe
      // rung. The do-not-call list is checked in the same statement: a listed number is closed FAIL_DNC there.
      // Then wait for the calls claimed before this one to be sent (see send-order.ts).
      if (go && sendable()) mark = await markOriginateSentUnlessDnc(core.db, row.id, core.nowSec(), core.owner());
      marked = mark === 'sent';
      await place.turn;
    } catch (err) {
      core.originateSlots.release();
      throw err;
    }
    // The write took a moment in which the dialer may have been halted, stopped or disconnected, or the session
    // ended by a reconciliation: look again before sending.
    if (!core.alive()) return core.originateSlots.release(), over(); // a crash right after the write: the row stays maybe rung
    if (mark === 'dnc') {
      // on the do-not-call list: already recorded (FAIL_DNC, never retried); nothing is sent
      core.originateSlots.release();
      place.leave();
      session.end({ by: 'local' });
      core.log.info({ rowId: row.id, taskId: task.id }, 'number on the do-not-call list: not dialed');
      return over();
    }
    if (!go || (marked && !wanted())) return unwanted();
    if (!marked || !sendable()) {
      core.originateSlots.release();
      place.leave();
      session.end({ by: 'local' });
      // Never sent: stopping, disconnected, the task was paused, or the row was closed / removed / taken over
      // meanwhile (signal-close, re-POST, a peer node).
      await releaseAttempt(core.db, row.id, core.nowSec(), core.owner());
      return over();
    }
    // The ring guard starts now, not before the wait for a slot (the evidence listener above is older).
    answered = waitAnswered(session, ringSec * 1000 + RING_GUARD_MS);
    sent = ari
      .originate({
        channelId: call.channelId,
        endpoint,
        callerId: config.dialing.callerId || undefined,
        formats: config.dialing.originateFormats || undefined,
        timeoutSec: ringSec,
        variables: {
          AUTODIALER_TASK_ID: String(task.id),
          AUTODIALER_ROW_ID: String(row.id),
          AUTODIALER_ATTEMPT: String(row.attemptNumber),
          OFF_ANSWER_SUB: '1',
        },
      })
      .finally(() => core.originateSlots.release());
  } finally {
    place.leave(); // the request is on its way (or will never be): the next call may send
  }
  function unwanted(): CustomerOriginate {
    core.originateSlots.release();
    place.leave();
    session.end({ by: 'local' });
    return { kind: 'unwanted' };
  }
  const r = await sent;
  if (r.ok || r.error === 'gone' || r.status > 0) call.originateAnsweredAt = performance.now();
  if (r.ok) core.refusals.forget(row.id);
  if (!r.ok && r.error === 'failed') {
    if (r.notSent || (r.status === 500 && core.refusals.add(row.id) < MAX_ALLOCATION_REFUSALS)) {
      // Asterisk provably did not dial: unreachable, not booted, shutting down (500 "Allocation failed"
      // while it stops, with the event socket still up): not an attempt, the number is ready again, and no
      // number is sent until Asterisk answers as ready (a resynchronisation). A 500 that persists (an
      // endpoint whose technology does not exist) becomes FAIL_ROUTE below after a few such rounds.
      session.end({ by: 'local' });
      if (core.alive()) await releaseAttempt(core.db, row.id, core.nowSec(), core.owner());
      core.log.warn({ rowId: row.id, status: r.status, message: r.message }, 'Asterisk did not dial (not ready); number put back');
      core.asteriskNotReady();
      return over();
    }
    if (!ev.sawDial && !ev.answered && session.ended === undefined) {
      // Asterisk answered with an error, or the answer was lost: the call may or may not exist.
      // Only a channel Asterisk says does not exist is over; if that read fails too (a slow Asterisk), the
      // call is followed like any other: the ring guard bounds the wait and hangs up what may exist.
      const still = await ari.getChannel(call.channelId);
      if (!still.ok && still.error === 'gone' && !ev.answered && !session.ended) {
        session.end({ by: 'local' });
        // With an HTTP error Asterisk refused the call; without an answer (timeout) it may have rung the
        // customer, so the number is not tried again automatically.
        await finish(
          core,
          row.id,
          refusedAsNoRoute(r.status) ? ResultCode.FAIL_ROUTE : ResultCode.FAIL,
          { state: RowState.FAILED_ORIGINATE, cause: `originate failed: ${r.status} ${r.message}`.slice(0, 200) },
          r.status === 0,
        );
        return over();
      }
    }
  }
  return { kind: 'ringing', session, ev, answered };
}

/** Rounds of 500 "Allocation failed" (each after a resynchronisation) before a number is closed as FAIL_ROUTE. */
const MAX_ALLOCATION_REFUSALS = 3;

/**
 * Asterisk refused the originate before any route ran: a 4xx (bad parameters), or 500, which ARI's originate
 * answers only when no channel could be allocated for the endpoint (e.g. an unknown technology;
 * observed.md §A). Both mean "no route" (FAIL_ROUTE). Decided by status, never by message text.
 */
function refusedAsNoRoute(status: number): boolean {
  return status >= 400 && status <= 500;
}

/** From "the customer is ringing" to the recorded result; also used to adopt a ringing call after a restart. */
export async function followCustomer(
  core: DialerCore,
  task: TaskRow,
  row: AttemptRow,
  call: CallEntry,
  session: CallSession,
  ev: LegEvidence,
  answered: Promise<'answered' | 'timeout' | 'gone'>,
): Promise<void> {
  const a = await answered;
  if (a !== 'answered') {
    if (a === 'timeout') await hangupAndWait(session);
    const c = classifyUnanswered(ev);
    await finish(
      core,
      row.id,
      c.result,
      { state: RowState.END_CALL, outDialState: c.outDialState, hangupCause: c.hangupCause, cause: c.cause },
      !c.retry,
    );
    return;
  }

  await trail(core, row.id, { state: RowState.AFTER_DIAL_OUT, outDialState: 'ANSWER' });
  const ids = await callIdsOf(core, session);
  if (ids.linkedId || ids.verboseCallId) await trail(core, row.id, { state: RowState.AFTER_DIAL_OUT, ...ids });
  if (task.amd && (await screenAnswered(core, task, row, session, ev, { speak: speakWith(core) })) === 'done') return;

  if (task.innerNumType === 'polling') await pollingFlow(core, task, row, call, session, ev, ids);
  else await agentFlow(core, row, call, session, ev);
}

/**
 * The ids an admin finds the call by. The linkedid of a call we originate is the id we gave its first channel
 * (Asterisk 22; a channel's linkedid is the uniqueid of the call's oldest channel): no request, and no null when
 * the customer hangs up at once. The log call id ([C-…], what an admin greps Asterisk's log for) exists on the
 * channel that ran the outbound dialplan: the ";2" half of our Local channel. With another technology (no ";2"),
 * our own channel's.
 */
export async function callIdsOf(core: DialerCore, session: CallSession): Promise<{ linkedId: string | null; verboseCallId: string | null }> {
  let callid = await core.ari.getVariable(`${session.channelId};2`, 'CHANNEL(callid)');
  if (!callid.ok || !callid.value) callid = await core.ari.getVariable(session.channelId, 'CHANNEL(callid)');
  return { linkedId: session.channelId, verboseCallId: callid.ok && callid.value ? callid.value : null };
}

async function pollingFlow(
  core: DialerCore,
  task: TaskRow,
  row: AttemptRow,
  call: CallEntry,
  session: CallSession,
  ev: LegEvidence,
  ids: { linkedId: string | null; verboseCallId: string | null },
) {
  await trail(core, row.id, { state: RowState.EVENT_POLLING });
  core.calls.phase(row.id, 'survey');
  let params: Record<string, unknown> = {};
  try {
    const p = row.params ? JSON.parse(row.params) : {};
    if (p && typeof p === 'object' && !Array.isArray(p)) params = p as Record<string, unknown>;
  } catch {
    // params that are not JSON are simply not available to the survey
  }
  const outcome = await core
    .runSurvey(session, {
      taskId: task.id,
      taskResultId: row.id,
      pollingId: Number(task.innerNum),
      phone: row.phone,
      phoneId: row.phoneId,
      params,
      linkedId: ids.linkedId,
      verboseCallId: ids.verboseCallId,
    })
    .catch((err: unknown) => {
      core.log.error({ err, rowId: row.id }, 'survey threw');
      return { result: 'FAIL_POLLING' as const, reason: 'error' as const };
    });

  if (outcome.result === 'SUCCESS_POLLING') {
    const target = outcome.dial?.replace(/\D/g, '');
    // Recorded before the transfer (as the original did), but the call is not over: the live view keeps it.
    if (target && !session.ended) core.calls.goesOn(row.id);
    await finish(core, row.id, ResultCode.SUCCESS_POLLING, { state: RowState.EVENT_POLLING_END });
    if (target && !session.ended) await connectAgent(core, session, call, target, row.phone);
  } else {
    await finish(core, row.id, ResultCode.FAIL_POLLING, {
      state: RowState.END_CALL,
      hangupCause: session.ended?.cause ?? ev.cause ?? null,
      cause: session.ended?.causeText ?? ev.causeText ?? null,
    });
  }
  await hangupAndWait(session);
}

async function agentFlow(core: DialerCore, row: AttemptRow, call: CallEntry, session: CallSession, ev: LegEvidence) {
  const target = call.target as string;
  const read = await core.agents.read(target, session.channelId);
  if (read.status === 'gone' && !session.ended) {
    // The customer's channel is gone; its ChannelDestroyed (with the cause) is normally just behind.
    await Promise.race([whenEnded(session), core.clock.sleep(1000)]);
    session.end({ by: 'remote' });
  }
  // A read that failed for another reason says nothing about the agent: use the last known state, and
  // when that is unknown too, treat the agent as free (the agent leg's own result will tell).
  const free = read.status === 'ok' ? read.free : read.status === 'failed' ? (core.agents.known(target) ?? 1) : 0;
  if (session.ended) {
    // The customer left before we could ring anyone: the agent was never involved.
    await finish(core, row.id, ResultCode.FAIL_CLIENT_H_BEFORE_ANSWER, {
      state: RowState.END_CALL,
      hangupCause: ev.cause ?? null,
      cause: ev.causeText ?? null,
    });
    return;
  }
  if (!free) {
    await finish(core, row.id, ResultCode.FAIL_USER_BUSY, { state: RowState.ALL_USER_BUSY });
    await hangupAndWait(session);
    return;
  }
  await trail(core, row.id, { state: RowState.START_DIAL });
  // inDialState ANSWER as soon as the agent talks: a restart can then tell a connected call from a failed one.
  const o = await connectAgent(core, session, call, target, row.phone, () =>
    trail(core, row.id, { state: RowState.START_DIAL, inDialState: 'ANSWER' }),
  );
  switch (o.kind) {
    case 'client-gone':
      await finish(core, row.id, ResultCode.FAIL_CLIENT_H_BEFORE_ANSWER, {
        state: RowState.END_CALL,
        hangupCause: ev.cause ?? null,
        cause: ev.causeText ?? null,
      });
      break;
    case 'agent-failed':
      await finish(core, row.id, ResultCode.FAIL_USER_NO_ANSWER, { state: RowState.END_DIAL, inDialState: o.inDialState });
      await hangupAndWait(session);
      break;
    case 'talked':
      // Cut by our own shutdown deadline: neither party hung up, so neither *_H code would be true.
      await finish(core, row.id, call.cutAtShutdown ? ResultCode.SUCCESS : o.hungUpFirst === 'client' ? ResultCode.SUCCESS_CLIENT_H : ResultCode.SUCCESS_USER_H, {
        state: RowState.END_CALL,
        inDialState: 'ANSWER',
        hangupCause: ev.cause ?? null,
        cause: ev.causeText ?? null,
      });
      break;
  }
}
