import ari from 'ari-client';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ariHttp, destroyed, eventsOf, sequenceFor, startHarness, waitFor, type Ev, type Harness } from './harness.js';

describe('scripted world, trunk modes and the call log witness', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timeScale: 0.02 });
  });
  afterAll(async () => h.close());

  const call = async (endpoint: string, channelId: string) => {
    await h.client.channels.originate({ endpoint, app: h.app, channelId, timeout: 30 });
    await waitFor(destroyed(h.events, channelId), 8000);
  };

  it('scripts a customer over the /sim/ HTTP control API, outside /ari', async () => {
    const put = await fetch(`${h.sim.url}/sim/customers/4955501`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'busy' }),
    });
    expect(put.status).toBe(204);
    await call('Local/04955501@outgoing', 'ctl-busy');
    expect(sequenceFor(h.events, 'ctl-busy')).toEqual(['Dial()', 'Dial(BUSY)', 'ChannelDestroyed(0)']);
    const bad = await fetch(`${h.sim.url}/sim/customers/1`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"kind":"weird"}' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toMatch(/scenario.kind/);
  });

  it('routes plain 5+ digit numbers in [outgoing] to the customer (demo default route), letters nowhere', async () => {
    await call('Local/4917000005@outgoing', 'plain');
    expect(sequenceFor(h.events, 'plain')).toContain('StasisStart(Up)');
    await call('Local/abc@outgoing', 'letters');
    expect(sequenceFor(h.events, 'letters')).toEqual(['ChannelDestroyed(0)']);
    await call('Local/4917000001', 'no-context');
    expect(sequenceFor(h.events, 'no-context')).toEqual(['Dial()', 'ChannelHangupRequest(1)', 'Dial(NOANSWER)', 'ChannelDestroyed(1)']);
  });

  it('providerDown: Dial(CHANUNAVAIL) and cause 38 on the dialer channel', async () => {
    h.sim.world.setCustomer('4955502', { kind: 'providerDown' });
    await call('Local/04955502@outgoing', 'down');
    expect(sequenceFor(h.events, 'down')).toEqual(['Dial()', 'ChannelHangupRequest(38)', 'Dial(CHANUNAVAIL)', 'ChannelDestroyed(38)']);
  });

  it("trunk mode 'sip': busy and congestion causes sit on the dialer channel and there is no ;2", async () => {
    h.sim.world.setTrunkMode('sip');
    try {
      await call('Local/04917000002@outgoing', 'sip-busy');
      await call('Local/04917000004@outgoing', 'sip-cong');
      await call('PJSIP/4917000008@trunk', 'sip-unalloc');
    } finally {
      h.sim.world.setTrunkMode('local');
    }
    expect(sequenceFor(h.events, 'sip-busy')).toEqual(['Dial()', 'Dial(BUSY)', 'ChannelHangupRequest(17)', 'ChannelDestroyed(17)']);
    expect(sequenceFor(h.events, 'sip-cong')).toEqual(['Dial()', 'Dial(CONGESTION)', 'ChannelHangupRequest(34)', 'ChannelDestroyed(34)']);
    expect(sequenceFor(h.events, 'sip-unalloc')).toEqual(['Dial()', 'ChannelHangupRequest(1)', 'Dial(NOANSWER)', 'ChannelDestroyed(1)']);
    expect(h.events.some((e) => e.channel?.id === 'sip-busy;2')).toBe(false);
  });

  it('refuses an originate reusing a live channel id with 409 and records it in the call log', async () => {
    h.sim.world.setCustomer('4955503', { kind: 'noAnswer' });
    await h.client.channels.originate({ endpoint: 'Local/04955503@outgoing', app: h.app, channelId: 'dup', timeout: 60 });
    const again = await ariHttp(h.sim, 'POST', '/ari/channels?endpoint=Local/04955504@outgoing&app=probe&channelId=dup');
    expect(again).toEqual({ status: 409, body: { message: 'Channel with given unique ID already exists' } });
    // A second call to the same number while the first still rings: the witness sees the overlap.
    await h.client.channels.originate({ endpoint: 'Local/04955503@outgoing', app: h.app, channelId: 'dup-2', timeout: 60 });
    await h.client.channels.hangup({ channelId: 'dup' });
    await h.client.channels.hangup({ channelId: 'dup-2' });
    await waitFor(destroyed(h.events, 'dup-2'));
    const log = (await (await fetch(`${h.sim.url}/sim/calls`)).json()) as any;
    expect(log.duplicateChannelIds).toEqual(['dup']);
    expect(log.overlappingNumbers).toEqual([{ number: '4955503', a: 'dup', b: 'dup-2' }]);
    const first = log.calls.find((c: any) => c.channelId === 'dup' && !c.rejected);
    expect(first).toMatchObject({ number: '4955503', endpoint: 'Local/04955503@outgoing', outcome: 'cancelled', cause: 16 });
    expect(first.endedAt).toBeGreaterThanOrEqual(first.startedAt);
    const busy = h.sim.world.callLog.find((c) => c.channelId === 'ctl-busy');
    expect(busy).toMatchObject({ outcome: 'busy', cause: 0, number: '4955501' });
    const answered = h.sim.world.callLog.find((c) => c.channelId === 'plain');
    expect(answered?.answeredAt).toBeTypeOf('number');
  });

  it('delivers to several apps on one WebSocket and to subscribeAll apps', async () => {
    const other: any = await ari.connect(h.sim.url, h.sim.username, h.sim.password);
    const got: Ev[] = [];
    other.on('*', (e: Ev) => got.push(e));
    await other.start(['app-a', 'app-b']);
    const spy: any = await ari.connect(h.sim.url, h.sim.username, h.sim.password);
    const all: Ev[] = [];
    spy.on('*', (e: Ev) => all.push(e));
    await spy.start('watcher', true);
    try {
      await other.channels.originate({ endpoint: 'Local/4917000005@test-clients', app: 'app-b', channelId: 'multi' });
      await waitFor(() => got.some((e) => e.type === 'ChannelDestroyed' && e.channel.id === 'multi'));
      expect(new Set(got.map((e) => e.application))).toEqual(new Set(['app-b']));
      expect(eventsOf(got, 'StasisStart', 'multi')[0]!.args).toEqual([]);
      await waitFor(() => all.some((e) => e.type === 'ChannelDestroyed' && e.channel.id === 'multi'));
      expect(all.every((e) => e.application === 'watcher')).toBe(true);
    } finally {
      other.stop();
      spy.stop();
    }
  });

  it('drives agents, queue members and live calls over /sim/ as well', async () => {
    const ctl = (method: string, path: string, body?: unknown) =>
      fetch(`${h.sim.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    expect((await ctl('PUT', '/sim/agents/202', { offline: true })).status).toBe(204);
    expect(h.sim.world.deviceState('PJSIP/202')).toBe('UNAVAILABLE');
    expect((await ctl('PUT', '/sim/agents/202', { offline: false })).status).toBe(204);
    expect((await ctl('PUT', '/sim/queues/9000/members', { members: ['201'] })).status).toBe(204);
    await h.client.channels.create({ endpoint: 'Local/echo@dialer-misc', app: h.app, channelId: 'u1' });
    await waitFor(() => eventsOf(h.events, 'StasisStart', 'u1').length === 1);
    expect((await h.client.channels.getChannelVar({ channelId: 'u1', variable: 'QUEUE_MEMBER(9000,count)' })).value).toBe('1');
    expect((await ctl('PUT', '/sim/queues/9000/members', { members: 'x' })).status).toBe(400);

    h.sim.world.setCustomer('4955510', { kind: 'answer', hangupAfterMs: 600_000 });
    await h.client.channels.originate({ endpoint: 'Local/04955510@outgoing', app: h.app, channelId: 'live' });
    await waitFor(() => eventsOf(h.events, 'StasisStart', 'live').length === 1);
    expect((await ctl('POST', '/sim/channels/live/dtmf?digits=42')).status).toBe(204);
    await waitFor(() => eventsOf(h.events, 'ChannelDtmfReceived', 'live').length === 2);
    expect((await ctl('POST', '/sim/channels/live/hangup?cause=16')).status).toBe(204);
    await waitFor(destroyed(h.events, 'live'));
    expect(sequenceFor(h.events, 'live').slice(-5)).toEqual([
      'ChannelDtmfReceived(4)', 'ChannelDtmfReceived(2)', 'ChannelHangupRequest(16)', 'StasisEnd', 'ChannelDestroyed(16)',
    ]);
    expect((await ctl('POST', '/sim/channels/live/dtmf?digits=1')).status).toBe(400);
  });

  it('a second WebSocket for the same app replaces the first, which is told ApplicationReplaced', async () => {
    const url = `${h.sim.url.replace('http', 'ws')}/ari/events?app=solo&api_key=${h.sim.username}:${h.sim.password}`;
    const open = (ws: WebSocket) => new Promise((r) => ws.once('open', r));
    const first = new WebSocket(url);
    const firstGot: string[] = [];
    first.on('message', (m) => firstGot.push(JSON.parse(String(m)).type));
    await open(first);
    const second = new WebSocket(url);
    const secondGot: string[] = [];
    second.on('message', (m) => secondGot.push(JSON.parse(String(m)).type));
    await open(second);
    await ariHttp(h.sim, 'POST', '/ari/channels?endpoint=Local/4917000002@test-clients&app=solo&channelId=solo-1');
    await waitFor(() => secondGot.filter((t) => t === 'ChannelDestroyed').length === 2);
    expect(firstGot).toEqual(['ApplicationReplaced']);
    first.close();
    second.close();
  });

  it('changes settings over /sim/config (refusing unknown or bad ones untouched) and resets the world', async () => {
    const ctl = (method: string, path: string, body?: unknown) =>
      fetch(`${h.sim.url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
    const bad = await ctl('PUT', '/sim/config', { noise: false, jitterMs: -1 });
    expect(bad.status).toBe(400);
    expect((await bad.json()).message).toContain('jitterMs');
    expect(await (await ctl('GET', '/sim/config')).json()).toEqual({ trunkMode: 'local', jitterMs: 0, noise: true, outgoingDefaultRoute: true });
    expect((await ctl('PUT', '/sim/config', { outgoingDefaultRoute: false })).status).toBe(204);
    await call('Local/4917000005@outgoing', 'no-default');
    expect(sequenceFor(h.events, 'no-default')).toEqual(['ChannelDestroyed(0)']);
    expect((await ctl('PUT', '/sim/config', { outgoingDefaultRoute: true })).status).toBe(204);
    expect((await ctl('PUT', '/sim/config', { colour: 'red' })).status).toBe(400);

    h.sim.world.setCustomer('4955520', { kind: 'busy' });
    expect((await ctl('POST', '/sim/reset')).status).toBe(204);
    expect(h.sim.world.callLog).toEqual([]);
    expect(h.sim.world.config.scenarioFor('4955520')).toEqual({ kind: 'answer', hangupAfterMs: 30_000, ringing: true, answerAfterMs: 2000 });
  });

  it('places a call for an unregistered app anyway and drops it on answer', async () => {
    const r = await ariHttp(h.sim, 'POST', '/ari/channels?endpoint=Local/4917000001@test-clients&app=not-registered-app&channelId=lost');
    expect(r.status).toBe(200);
    expect(r.body.name).toMatch(/^Local\/4917000001@test-clients-[0-9a-f]{8};1$/);
    await waitFor(() => !h.sim.world.channels().some((c: any) => c.id === 'lost'));
    expect(h.sim.world.callLog.find((c) => c.channelId === 'lost')?.endedAt).toBeTypeOf('number');
  });
});

describe('time scale', () => {
  it('scales the originate timeout: a 45 s ring timeout fires within the wait of the test at 0.005', async () => {
    const h = await startHarness({ timeScale: 0.005 });
    try {
      await h.client.channels.originate({ endpoint: 'Local/4917000003@test-clients', app: h.app, channelId: 'slow', timeout: 45 });
      await waitFor(destroyed(h.events, 'slow'), 5000);
      expect(sequenceFor(h.events, 'slow').at(-1)).toBe('ChannelDestroyed(19)');
    } finally {
      await h.close();
    }
  });
});
