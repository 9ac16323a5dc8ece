import { ResultCode, RowState } from '../../src/domain/result-codes.js';
import { closeIfDnc, releaseAttempt, type AttemptRow, type TaskRow } from '../../src/services/attempts/index.js';
import type { CallSession } from '../session/call-session.js';
import { createKeyBuffer } from '../survey/keys.js';
import { createPromptResolver, type PromptTts } from '../survey/prompts.js';
import { gather } from '../survey/verbs/gather.js';
import { play } from '../survey/verbs/play.js';
import { agentTalking, bridgeAndTalk, ringAgent } from './agent-connect.js';
import type { CallEntry } from './book.js';
import { callIdsOf, originateCustomer } from './call-flow.js';
import { classifyUnanswered } from './classify.js';
import type { DialerCore } from './core.js';
import { hangupAndWait, whenEnded } from './customer-leg.js';
import { finish, trail } from './record.js';

/**
 * Callback mode (v1.35, `isCallback = 1` on an extension / queue task): the operator is rung first, showing the
 * customer's number; when a callback alert text is set it is played to the operator, who must press 1 (0, another
 * key or 6 s of silence cancel); only then is the customer dialed, and both are bridged when the customer answers.
 *
 * Which originate counts as "sent": the customer's. The operator leg is rung with the row still in CreateCallFile
 * and no originatedAt; the row is marked sent (awaited) right before the customer's originate goes out, as for
 * any call. So a crash while the operator rings or hears the alert leaves a row that provably never rang the
 * customer: reconciliation hangs the operator leg up and makes the number ready again. A crash after the mark
 * never dials the customer again as such.
 *
 * Results (the original's callback mapping): the customer answered → SUCCESS (not *_H); the operator did not
 * answer → FAIL_USER_NO_ANSWER with the operator's dial status in inDialState (as for exten tasks); the operator
 * cancelled the alert → FAIL_USER_BUSY (state UserCancelCallback); the operator hung up before the customer
 * answered → FAIL_USER_H_BEFORE_CLIENT_ANSWER (the customer leg is hung up at once, or never dialed); the
 * customer not reached → the usual FAIL / FAIL_ROUTE / FAIL_PROVIDER with outDialState. Any FAIL* is retried per
 * maxAttempt / tryInterval. A call cut by our own shutdown before the customer was dialed is put back (not an
 * attempt).
 */
export const isCallbackTask = (task: TaskRow): boolean => task.isCallback === 1 && task.innerNumType !== 'polling';

/**
 * The operator leg of a callback: `op-<customer's channel id>`, not `<id>-agent` as for exten tasks. Asterisk 22
 * refuses to create a channel whose id is the beginning of a live channel's id (409 "Channel with given unique ID
 * already exists", seen on 22.10.1): with the operator's `<id>-agent` up first, the customer's `<id>` could never
 * be originated.
 */
export const operatorChannelId = (customerChannelId: string): string => `op-${customerChannelId}`;

/** The original's WaitExten(6) after the alert. */
const KEY_WAIT_MS = 6000;
/** Over the alert's own length, before we stop waiting for it to finish. */
const ALERT_MARGIN_MS = 5000;
const ALERT_LANG = 'ru-RU';

const NO_TTS: PromptTts = { configured: false, synthesize: async () => ({ ok: false, message: 'text-to-speech is not configured' }) };

export async function runCallback(core: DialerCore, task: TaskRow, row: AttemptRow, call: CallEntry): Promise<void> {
  const target = call.target;
  if (!target) throw new Error(`callback task ${task.id} has no extension to ring`);

  // 0. A number on the do-not-call list is closed FAIL_DNC before anyone is rung (the customer's originate would
  //    refuse it anyway, but only after the operator had answered for nothing).
  if (await closeIfDnc(core.db, row.id, core.nowSec(), core.owner())) return;

  // 1. The operator first, showing the customer's number.
  const ring = await ringAgent(core, call, target, row.phone, undefined, operatorChannelId(call.channelId));
  if (ring.kind !== 'answered') {
    if (call.cutAtShutdown || ring.kind === 'aborted') return putBack(core, row);
    await finish(core, row.id, ResultCode.FAIL_USER_NO_ANSWER, { state: RowState.END_DIAL, inDialState: ring.inDialState });
    return;
  }
  const operator = ring.agent;
  agentTalking(core, call, target);

  // 2. The alert, when one is set: key 1 goes on, anything else cancels.
  const confirmed = await confirmByOperator(core, operator);
  if (confirmed !== 'confirmed') {
    await hangupAndWait(operator);
    if (call.cutAtShutdown) return putBack(core, row);
    if (confirmed === 'gone') await operatorLeft(core, row);
    else await finish(core, row.id, ResultCode.FAIL_USER_BUSY, { state: RowState.USER_CANCEL_CALLBACK, inDialState: 'ANSWER' });
    return;
  }

  // 3. The customer, dialed exactly like a normal call (slot, mark sent, claim order, refusals), unless the
  //    operator left meanwhile.
  const o = await originateCustomer(core, task, row, call, () => !operator.ended);
  if (o.kind !== 'ringing') {
    await hangupAndWait(operator);
    if (o.kind === 'unwanted') await operatorLeft(core, row);
    return; // 'over': released (not an attempt) or recorded as refused
  }
  const { session: customer, ev } = o;
  const first = await Promise.race([o.answered, whenEnded(operator).then(() => 'operator-gone' as const)]);
  if (operator.ended && !call.cutAtShutdown) {
    // The operator gave up while the customer rang (or just as they answered): nobody is left to talk to.
    await hangupAndWait(customer);
    await operatorLeft(core, row, customer, ev.answered ? 'ANSWER' : null, ev);
    return;
  }
  if (first !== 'answered') {
    if (first === 'timeout' || first === 'operator-gone') await hangupAndWait(customer);
    await hangupAndWait(operator);
    const c = classifyUnanswered(ev);
    await finish(
      core,
      row.id,
      c.result,
      { state: RowState.END_CALL, inDialState: 'ANSWER', outDialState: c.outDialState, hangupCause: c.hangupCause, cause: c.cause },
      !c.retry,
    );
    return;
  }

  // 4. Both on the line: bridge them. ANSWER on both legs is written as soon as they talk, so a restart records
  //    SUCCESS for this call (reconcile.ts evidenceResult).
  const talk = await bridgeAndTalk(core, customer, operator, async () => {
    core.calls.phase(row.id, 'agent', target);
    await trail(core, row.id, { state: RowState.AFTER_DIAL_OUT, outDialState: 'ANSWER', inDialState: 'ANSWER', ...(await callIdsOf(core, customer)) });
  });
  const ended = { state: RowState.END_CALL, outDialState: 'ANSWER', inDialState: 'ANSWER', hangupCause: ev.cause ?? null, cause: ev.causeText ?? null };
  if (talk.kind === 'not-bridged') await finish(core, row.id, ResultCode.FAIL, { ...ended, cause: 'operator and customer could not be connected' });
  else await finish(core, row.id, ResultCode.SUCCESS, ended);
}

/**
 * Play the callback alert (settings' callbackAlertText, voiced by TTS; a beep when TTS is not configured or fails)
 * to the operator and wait for a key. No alert set: confirmed at once.
 */
async function confirmByOperator(core: DialerCore, operator: CallSession): Promise<'confirmed' | 'cancelled' | 'gone'> {
  const text = (await alertText(core)).trim();
  if (!text) return operator.ended ? 'gone' : 'confirmed';
  const prompt = await createPromptResolver(core.tts ?? NO_TTS, core.log).playback(text, 'text', ALERT_LANG, {});
  const keys = createKeyBuffer(operator);
  const played = prompt ? await play(operator, prompt, { bargeIn: keys, marginMs: ALERT_MARGIN_MS }) : { kind: 'done' as const };
  if (played.kind === 'failed') core.log.warn({ channelId: operator.channelId, reason: played.reason }, 'callback alert could not be played; waiting for the key anyway');
  const answer = played.kind === 'key' || played.kind === 'gone' ? played : await gather(operator, keys, KEY_WAIT_MS);
  if (answer.kind === 'gone' || operator.ended) return 'gone';
  return answer.kind === 'key' && answer.key === '1' ? 'confirmed' : 'cancelled';
}

async function alertText(core: DialerCore): Promise<string> {
  if (core.settings) {
    const s = await core.settings.current().catch((err: unknown) => (core.log.warn({ err }, 'could not read the settings'), undefined));
    if (s) return s.callbackAlertText ?? '';
  }
  return core.config.dialing.callbackAlertText ?? '';
}

/** The operator hung up before the customer answered (the customer leg, if any, is already hung up). */
async function operatorLeft(
  core: DialerCore,
  row: AttemptRow,
  customer?: CallSession,
  outDialState: string | null = null,
  ev?: { cause?: number; causeText?: string },
): Promise<void> {
  await finish(core, row.id, ResultCode.FAIL_USER_H_BEFORE_CLIENT_ANSWER, {
    state: RowState.END_CALL,
    inDialState: 'ANSWER',
    outDialState,
    ...(customer ? { hangupCause: ev?.cause ?? null, cause: ev?.causeText ?? null } : {}),
  });
}

/** Cut by our own shutdown before the customer was dialed: not an attempt, the number is ready again. */
async function putBack(core: DialerCore, row: AttemptRow): Promise<void> {
  if (core.alive()) await releaseAttempt(core.db, row.id, core.nowSec(), core.owner());
}
