import type { CallSession } from '../session/call-session.js';
import type { CallEntry } from './book.js';
import type { DialerCore } from './core.js';
import { LegEvidence, hangupAndWait, waitAnswered, whenEnded } from './customer-leg.js';

export type AgentOutcome =
  | { kind: 'talked'; hungUpFirst: 'client' | 'agent' }
  | { kind: 'agent-failed'; inDialState: string }
  | { kind: 'client-gone' };

/**
 * Ring the agent (Local/<innerNum>@<internal context>) into our app showing the customer's number, bridge
 * both in a mixing bridge when the agent answers, and report who hung up first. Both legs are gone when
 * this resolves.
 */
export async function connectAgent(
  core: DialerCore,
  customer: CallSession,
  call: CallEntry,
  target: string,
  phone: string,
  /** Awaited (e.g. a row write) before the call goes on; who hangs up first is followed meanwhile. */
  onBridged: () => void | Promise<void> = () => {},
): Promise<AgentOutcome> {
  const { ari, config } = core;
  const agentId = `${customer.channelId}-agent`;
  call.agentChannelId = agentId;
  const agent = core.registry.create(agentId, { rowId: call.rowId, leg: 'agent' });
  const ev = LegEvidence.follow(agent);
  const ringSec = config.dialing.agentRingTimeoutSeconds;
  const answered = waitAnswered(agent, (ringSec + 30) * 1000);
  const clientGone = whenEnded(customer).then(() => 'client-gone' as const);

  const r = await ari.originate({
    channelId: agentId,
    endpoint: `Local/${target}@${config.dialing.internalContext}`,
    callerId: `"${phone}" <${phone}>`,
    formats: config.dialing.originateFormats || undefined,
    timeoutSec: ringSec,
    variables: { AUTODIALER_ROW_ID: String(call.rowId), AUTODIALER_LEG: 'agent' },
  });
  if (r.ok || r.error === 'gone' || r.status > 0) call.agentOriginateAnsweredAt = performance.now();
  core.agents.ownCallChanged(target);
  if (!r.ok && r.error === 'failed' && (r.notSent || r.status >= 400) && !ev.answered && !agent.ended) {
    // Asterisk refused to even start ringing the agent (bad context / technology), or never got the request.
    agent.end({ by: 'local' });
    return { kind: 'agent-failed', inDialState: 'CHANUNAVAIL' };
  }
  // No answer at all (timeout): Asterisk may well be ringing the agent, so keep waiting (bounded by the
  // ring guard below) and hang the leg up when giving up, instead of leaving the phone ringing unattended.

  const first = await Promise.race([answered, clientGone]);
  if (first === 'client-gone') {
    await hangupAndWait(agent);
    return { kind: 'client-gone' };
  }
  if (first !== 'answered') {
    await hangupAndWait(agent);
    return { kind: 'agent-failed', inDialState: ev.dialStatus ?? (first === 'timeout' ? 'NOANSWER' : agentFailStatus(ev)) };
  }

  const bridgeId = `${customer.channelId}-br`;
  const made = await ari.createBridge(bridgeId, 'mixing');
  const added = made.ok ? await ari.addToBridge(bridgeId, [customer.channelId, agentId]) : made;
  if (customer.ended) {
    await hangupAndWait(agent);
    if (made.ok) await ari.destroyBridge(bridgeId);
    return { kind: 'talked', hungUpFirst: 'client' };
  }
  if (!added.ok) {
    // Nobody can talk: end both legs now rather than holding two silent phones until someone gives up.
    core.log.warn({ bridgeId, added }, 'could not bridge customer and agent');
    await Promise.all([hangupAndWait(customer), hangupAndWait(agent)]);
    if (made.ok) void ari.destroyBridge(bridgeId);
    return { kind: 'agent-failed', inDialState: 'ANSWER' };
  }
  // Who hangs up first is followed from now on, not only once onBridged's write is done.
  const who = Promise.race([
    whenEnded(customer).then(() => 'client' as const),
    whenEnded(agent).then(() => 'agent' as const),
  ]);
  await onBridged();
  // The call stops counting as pending only once a fresh read shows its agent busy: the cached free count
  // may lag behind, and using it with this call no longer pending would start one call too many.
  void core.agents.reread(target).then(() => {
    core.book.markBridged(call);
    core.kick();
  });

  const hungUpFirst = await who;
  await Promise.all([hangupAndWait(customer), hangupAndWait(agent)]);
  if (made.ok) void ari.destroyBridge(bridgeId); // clean-up only: the call is over
  return { kind: 'talked', hungUpFirst };
}

function agentFailStatus(ev: LegEvidence): string {
  if (ev.cause === 17) return 'BUSY';
  if (ev.cause === 34) return 'CONGESTION';
  if (ev.cause === 1 || ev.cause === 0) return 'CHANUNAVAIL';
  return 'NOANSWER';
}
