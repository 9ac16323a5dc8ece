import type { Db } from '../../src/db/client.js';
import type { CallSession } from '../session/call-session.js';
import type { RunSurvey } from '../survey/types.js';
import { hangupAndWait, whenEnded } from '../session/ending.js';
import { planInbound } from './lookup.js';

export interface InboundCallDeps {
  db: Db;
  runSurvey: RunSurvey;
  /** Context where the `dial` action sends the caller (DIALER_INTERNAL_CONTEXT). */
  internalContext: string;
}

/** Nominal wait for a caller handed to the dialplan to leave our app. */
const LEAVE_MS = 5000;

/**
 * One inbound call, from StasisStart to the channel being gone or handed on: look the caller up, answer,
 * run the polling (answers stored with taskId -1 and the caller's number), then hang up — or, on a `dial`
 * action, continue the caller in the dialplan at that extension. Never throws: every failure is logged and
 * ends in a hangup.
 */
export async function runInboundCall(deps: InboundCallDeps, session: CallSession, call: { exten: string; callerId: string }) {
  const log = session.log;
  try {
    const plan = await planInbound(deps.db, call.exten, call.callerId);
    if (plan.kind === 'refuse') {
      // Not answered: the caller hears the call fail instead of silence, and it costs the PBX nothing.
      log.warn({ reason: plan.reason, known: plan.known }, plan.reason === 'not-configured'
        ? 'inbound call to a number without a polling (PUT /inbound/{exten}); hanging up'
        : 'inbound number has no polling for this caller; hanging up');
      return await hangupAndWait(session);
    }
    log.info({ pollingId: plan.pollingId, known: plan.known, clientCrmId: plan.clientCrmId }, 'inbound call: answering');
    const answered = await session.ari.answer(session.channelId);
    if (!answered.ok) {
      if (answered.error !== 'gone') log.warn({ message: answered.message }, 'inbound call could not be answered');
      return await hangupAndWait(session);
    }
    // Asterisk's log call id ([C-…]) of the caller's channel, so the answers can be matched to the PBX log.
    const callid = await session.ari.getVariable(session.channelId, 'CHANNEL(callid)');
    const outcome = await deps.runSurvey(session, {
      taskId: -1,
      taskResultId: -1,
      pollingId: plan.pollingId,
      phone: plan.phone,
      phoneId: plan.phoneId,
      params: plan.params,
      // An inbound channel is the oldest of its call: its id is the call's linkedid.
      linkedId: session.channelId,
      verboseCallId: callid.ok && callid.value ? callid.value : null,
    });
    log.info({ outcome }, 'inbound poll ended');
    if (outcome.result === 'SUCCESS_POLLING' && outcome.dial && !session.ended) return await handOn(deps, session, outcome.dial);
    await hangupAndWait(session);
  } catch (err) {
    log.error({ err }, 'inbound call failed; hanging up');
    await hangupAndWait(session).catch(() => undefined);
  }
}

/** `dial`: the caller continues in the dialplan at the extension (Asterisk rings it; no bridge of ours). */
async function handOn(deps: InboundCallDeps, session: CallSession, exten: string): Promise<void> {
  const target = exten.replace(/[^0-9A-Za-z*#+]/g, '');
  const left = session.waitFor((e) => (e.type === 'StasisEnd' && e.channel.id === session.channelId ? true : undefined), LEAVE_MS);
  const r = target
    ? await session.ari.continueInDialplan(session.channelId, { context: deps.internalContext, extension: target, priority: 1 })
    : ({ ok: false, error: 'failed', status: 0, message: 'empty extension' } as const);
  if (!r.ok) {
    if (r.error !== 'gone') session.log.warn({ exten, message: r.message }, 'could not hand the caller to the extension; hanging up');
    return hangupAndWait(session);
  }
  await Promise.race([left, whenEnded(session)]);
  // Out of our app now: Asterisk owns the call; forget it.
  session.end({ by: 'local' });
}
