import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ariHttp, destroyed, describe as describeEvent, eventsOf, sequenceFor, startHarness, waitFor, type Ev, type Harness } from './harness.js';

describe('bridges, agents and queues', () => {
  let h: Harness;
  const free = async (q: string, on = 'util') =>
    (await h.client.channels.getChannelVar({ channelId: on, variable: `QUEUE_MEMBER(${q},free)` })).value;

  beforeAll(async () => {
    h = await startHarness({ timeScale: 0.02 });
    // Utility channel for function reads, as tested on the real Asterisk (observed.md, QUEUE_MEMBER).
    await h.client.channels.create({ endpoint: 'Local/echo@dialer-misc', app: h.app, channelId: 'util' });
    await waitFor(() => eventsOf(h.events, 'StasisStart', 'util').length === 1);
  });
  afterAll(async () => h.close());

  it('keeps the utility channel Down in Stasis and reads functions through it, never globally', async () => {
    expect((await h.client.channels.get({ channelId: 'util' })).state).toBe('Down');
    expect(await free('9000')).toBe('4');
    for (const opt of ['ready', 'logged', 'count']) {
      expect((await h.client.channels.getChannelVar({ channelId: 'util', variable: `QUEUE_MEMBER(9000,${opt})` })).value).toBe('4');
    }
    expect(await h.client.asterisk.getGlobalVar({ variable: 'QUEUE_MEMBER(9000,free)' })).toEqual({ value: '' });
  });

  it('bridges an answered customer with an agent and tears it down like Asterisk', async () => {
    await h.client.channels.originate({ endpoint: 'Local/4917000007@test-clients', app: h.app, channelId: 'cust' });
    await waitFor(() => eventsOf(h.events, 'StasisStart', 'cust').length === 1);
    const bridge = await h.client.bridges.create({ type: 'mixing', bridgeId: 'br1', name: 'probe-bridge' });
    expect(bridge.technology).toBe('simple_bridge');
    await h.client.bridges.addChannel({ bridgeId: 'br1', channel: 'cust' });
    await h.client.channels.originate({ endpoint: 'Local/201@internal', app: h.app, channelId: 'agent' });
    await waitFor(() => eventsOf(h.events, 'StasisStart', 'agent').length === 1);
    expect(eventsOf(h.events, 'StasisStart', 'agent')[0]!.channel.state).toBe('Up');
    expect(await free('9000')).toBe('3');
    await h.client.bridges.addChannel({ bridgeId: 'br1', channel: 'agent' });
    const got = await h.client.bridges.get({ bridgeId: 'br1' });
    expect([...got.channels].sort()).toEqual(['agent', 'cust']);
    expect(got.technology).toBe('simple_bridge');

    await h.client.channels.hangup({ channelId: 'agent' });
    await waitFor(destroyed(h.events, 'agent'));
    const agentTail = h.events
      .filter((e) => e.channel?.id === 'agent' && ['ChannelHangupRequest', 'ChannelLeftBridge', 'StasisEnd', 'ChannelDestroyed'].includes(e.type))
      .map(describeEvent);
    expect(agentTail).toEqual(['ChannelHangupRequest(32,soft)', 'ChannelLeftBridge', 'StasisEnd', 'ChannelDestroyed(16)']);
    expect(eventsOf(h.events, 'ChannelEnteredBridge').map((e) => e.channel.id)).toEqual(['cust', 'agent']);
    await h.client.bridges.removeChannel({ bridgeId: 'br1', channel: 'cust' });
    await waitFor(() => eventsOf(h.events, 'ChannelLeftBridge', 'cust').length === 1);
    expect(await free('9000')).toBe('4');
    const del = await ariHttp(h.sim, 'DELETE', '/ari/bridges/br1');
    expect(del.status).toBe(204);
    await waitFor(() => eventsOf(h.events, 'BridgeDestroyed').length === 1);
  });

  it('continueInDialplan to queue 9000 ends Stasis at once; the app still sees the queue ring an agent', async () => {
    await h.client.channels.continueInDialplan({ channelId: 'cust', context: 'dialer-queue', extension: '9000', priority: 1 });
    await waitFor(() => eventsOf(h.events, 'StasisEnd', 'cust').length === 1);
    await waitFor(() => h.events.some((e) => e.type === 'Dial' && e.caller?.id === 'cust' && e.dialstatus === 'ANSWER'));
    const queueDials = h.events.filter((e) => e.type === 'Dial' && e.caller?.id === 'cust');
    expect(queueDials.every((e: Ev) => /^Local\/20\d@test-agents-[0-9a-f]{8};1$/.test(e.peer.name))).toBe(true);
    expect(queueDials.map((e) => e.dialstatus)).toEqual(['', 'RINGING', 'ANSWER']);
    expect(await free('9000')).toBe('3');
    const del = await ariHttp(h.sim, 'DELETE', '/ari/channels/cust?reason_code=16');
    expect(del.status).toBe(204);
    await waitFor(destroyed(h.events, 'cust'));
    expect(eventsOf(h.events, 'ChannelDestroyed', 'cust')[0]!.cause).toBe(16);
    // The whole of recorded F1, per channel (queue Dial events name the agent as peer, so they are not here).
    expect(sequenceFor(h.events, 'cust')).toEqual([
      'Dial()', 'ChannelStateChange(Ringing)', 'Dial(RINGING)', 'ChannelStateChange(Up)', 'Dial(ANSWER)', 'StasisStart(Up)',
      'ChannelEnteredBridge', 'ChannelLeftBridge', 'StasisEnd', 'ChannelHangupRequest(32,soft)', 'ChannelDestroyed(16)',
    ]);
    expect(sequenceFor(h.events, 'agent')).toEqual([
      'Dial()', 'ChannelStateChange(Ringing)', 'Dial(RINGING)', 'ChannelStateChange(Up)', 'Dial(ANSWER)', 'StasisStart(Up)',
      'ChannelEnteredBridge', 'ChannelHangupRequest(32,soft)', 'ChannelLeftBridge', 'StasisEnd', 'ChannelDestroyed(16)',
    ]);
    expect(await free('9000')).toBe('4');
  });

  it('dialing the queue as Local/9000@internal answers the dialer channel when an agent answers', async () => {
    await h.client.channels.originate({ endpoint: 'Local/9000@internal', app: h.app, channelId: 'q-call' });
    await waitFor(() => eventsOf(h.events, 'StasisStart', 'q-call').length === 1);
    expect(Number(await free('9000'))).toBe(3);
    await h.client.channels.hangup({ channelId: 'q-call' });
    await waitFor(destroyed(h.events, 'q-call'));
  });

  it('queue 9001 follows ARI device states and QUEUE_MEMBER pausing set globally', async () => {
    expect(await free('9001')).toBe('0');
    for (const a of ['201', '202', '203']) await h.client.deviceStates.update({ deviceName: `Stasis:agent${a}`, deviceState: 'NOT_INUSE' });
    await h.client.deviceStates.update({ deviceName: 'Stasis:agent204', deviceState: 'BUSY' });
    expect(await free('9001')).toBe('3');
    await h.client.deviceStates.update({ deviceName: 'Stasis:agent202', deviceState: 'INUSE' });
    expect(await free('9001')).toBe('2');
    const set = await ariHttp(h.sim, 'POST', `/ari/asterisk/variable?variable=${encodeURIComponent('QUEUE_MEMBER(9001,paused,Local/203@test-agents)')}&value=1`);
    expect(set.status).toBe(204);
    expect(await free('9001')).toBe('1');
    const paused = await h.client.channels.getChannelVar({ channelId: 'util', variable: 'QUEUE_MEMBER(9001,paused,Local/203@test-agents)' });
    expect(paused.value).toBe('1');
    expect((await h.client.deviceStates.list()).map((d: any) => d.name)).toEqual(['Stasis:agent201', 'Stasis:agent202', 'Stasis:agent203', 'Stasis:agent204']);

    h.events.length = 0;
    await h.client.channels.originate({ endpoint: 'Local/4917000007@test-clients', app: h.app, channelId: 'q1' });
    await waitFor(() => eventsOf(h.events, 'StasisStart', 'q1').length === 1);
    await h.client.channels.continueInDialplan({ channelId: 'q1', context: 'dialer-queue', extension: '9001', priority: 1 });
    await waitFor(() => h.events.some((e) => e.type === 'Dial' && e.caller?.id === 'q1' && e.dialstatus === 'ANSWER'));
    const rang = new Set(h.events.filter((e) => e.type === 'Dial' && e.caller?.id === 'q1').map((e) => e.peer.name.slice(0, 9)));
    expect([...rang]).toEqual(['Local/201']);
    await h.client.channels.hangup({ channelId: 'q1' });
    await waitFor(destroyed(h.events, 'q1'));
  });

  it('holding bridges and mixing bridges of three report their technology', async () => {
    const hold = await h.client.bridges.create({ type: 'holding' });
    expect(hold.technology).toBe('holding_bridge');
    expect(hold.bridge_type).toBe('holding');
    expect((await ariHttp(h.sim, 'POST', `/ari/bridges/${hold.id}/moh`)).status).toBe(204);
    expect((await ariHttp(h.sim, 'POST', '/ari/bridges/nope/addChannel?channel=util')).status).toBe(404);
    const r = await ariHttp(h.sim, 'POST', `/ari/bridges/${hold.id}/addChannel?channel=nope`);
    expect(r.status).toBe(400);
  });
});
