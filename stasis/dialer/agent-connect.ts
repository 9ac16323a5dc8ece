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
  const ring = await ringAgent(core, call, target, phone, whenEnded(customer));
  if (ring.kind === 'aborted') return { kind: 'client-gone' };
  if (ring.kind === 'failed') return { kind: 'agent-failed', inDialState: ring.inDialState };
  const talk = await bridgeAndTalk(core, customer, ring.agent, async () => {
    core.calls.phase(call.rowId, 'agent', target);
    await onBridged();
    agentTalking(core, call, target);
  });
  if (talk.kind === 'not-bridged') return { kind: 'agent-failed', inDialState: 'ANSWER' };
  return talk;
}

export type AgentRing =
  | { kind: 'answered'; agent: CallSession; ev: LegEvidence }
  | { kind: 'failed'; inDialState: string }
  /** `abortWhen` settled first (the customer left, or the flow no longer wants the agent): the leg is hung up. */
  | { kind: 'aborted' };

/**
 * Ring the agent (Local/<target>@<internal context>) into our app, showing `phone` as caller id, and wait for
 * the answer, bounded by the agent ring timeout plus a guard. The leg's id is `<call's channel id>-agent` unless
 * given (reconciliation recognises both forms as ours). Once this resolves with anything but 'answered', the leg
 * is gone.
 */
export async function ringAgent(
  core: DialerCore,
  call: CallEntry,
  target: string,
  phone: string,
  abortWhen: Promise<unknown> = new Promise(() => {}),
  agentId = `${call.channelId}-agent`,
): Promise<AgentRing> {
  const { ari, config } = core;
  call.agentChannelId = agentId;
  const agent = core.registry.create(agentId, { rowId: call.rowId, leg: 'agent' });
  const ev = LegEvidence.follow(agent);
  const ringSec = config.dialing.agentRingTimeoutSeconds;
  const answered = waitAnswered(agent, (ringSec + 30) * 1000);
  const aborted = abortWhen.then(() => 'aborted' as const);

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
    return { kind: 'failed', inDialState: 'CHANUNAVAIL' };
  }
  // No answer at all (timeout): Asterisk may well be ringing the agent, so keep waiting (bounded by the
  // ring guard) and hang the leg up when giving up, instead of leaving the phone ringing unattended.

  const first = await Promise.race([answered, aborted]);
  if (first === 'aborted') {
    await hangupAndWait(agent);
    return { kind: 'aborted' };
  }
  if (first !== 'answered') {
    await hangupAndWait(agent);
    return { kind: 'failed', inDialState: ev.dialStatus ?? (first === 'timeout' ? 'NOANSWER' : agentFailStatus(ev)) };
  }
  return { kind: 'answered', agent, ev };
}

/**
 * The agent answered and is busy from now on: the call stops counting as pending only once a fresh read shows
 * its agent busy (the cached free count may lag behind, and using it with this call no longer pending would
 * start one call too many).
 */
export function agentTalking(core: DialerCore, call: CallEntry, target: string): void {
  void core.agents.reread(target).then(() => {
    core.book.markBridged(call);
    core.kick();
  });
}

export type TalkOutcome = { kind: 'talked'; hungUpFirst: 'client' | 'agent' } | { kind: 'not-bridged' };

/**
 * Put two answered legs (the customer's and the agent's) in a mixing bridge and follow them until one hangs
 * up; then the other is hung up and the bridge destroyed. 'not-bridged': the bridge could not be made, both
 * legs were hung up. Both legs are gone when this resolves.
 */
export async function bridgeAndTalk(
  core: DialerCore,
  customer: CallSession,
  agent: CallSession,
  /** Awaited once both are bridged (e.g. a row write); who hangs up first is followed meanwhile. */
  onBridged: () => void | Promise<void> = () => {},
): Promise<TalkOutcome> {
  const { ari } = core;
  const bridgeId = `${customer.channelId}-br`;
  const made = await ari.createBridge(bridgeId, 'mixing');
  const added = made.ok ? await ari.addToBridge(bridgeId, [customer.channelId, agent.channelId]) : made;
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
    return { kind: 'not-bridged' };
  }
  // Who hangs up first is followed from now on, not only once onBridged's write is done.
  const who = Promise.race([
    whenEnded(customer).then(() => 'client' as const),
    whenEnded(agent).then(() => 'agent' as const),
  ]);
  await onBridged();
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
