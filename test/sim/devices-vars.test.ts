import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ariHttp, destroyed, describe as describeEvent, eventsOf, startHarness, waitFor, type Harness } from './harness.js';

describe('device states, subscriptions and channel functions', () => {
  let h: Harness;
  const states = (name: string) => h.events.filter((e) => e.type === 'DeviceStateChanged' && e.device_state.name === name).map((e) => e.device_state.state);

  beforeAll(async () => {
    h = await startHarness({ timeScale: 0.02 });
  });
  afterAll(async () => h.close());

  it('sends DeviceStateChanged for an agent device only after the app subscribed to it', async () => {
    await h.client.channels.originate({ endpoint: 'Local/202@internal', app: h.app, channelId: 'a202-first' });
    await waitFor(() => eventsOf(h.events, 'StasisStart', 'a202-first').length === 1);
    await h.client.channels.hangup({ channelId: 'a202-first' });
    await waitFor(destroyed(h.events, 'a202-first'));
    expect(states('PJSIP/202')).toEqual([]);

    const app = await h.client.applications.subscribe({ applicationName: h.app, eventSource: 'deviceState:PJSIP/201' });
    expect(app.device_names).toEqual(['PJSIP/201']);
    await h.client.channels.originate({ endpoint: 'Local/201@internal', app: h.app, channelId: 'a201' });
    await waitFor(() => eventsOf(h.events, 'StasisStart', 'a201').length === 1);
    expect((await h.client.channels.getChannelVar({ channelId: 'a201', variable: 'DEVICE_STATE(PJSIP/201)' })).value).toBe('INUSE');
    expect((await h.client.channels.getChannelVar({ channelId: 'a201', variable: 'EXTENSION_STATE(201@internal)' })).value).toBe('INUSE');
    expect((await h.client.channels.getChannelVar({ channelId: 'a201', variable: 'DEVICE_STATE(Local/201@test-agents)' })).value).toBe('INUSE');
    expect((await h.client.channels.getChannelVar({ channelId: 'a201', variable: 'DEVICE_STATE(Local/202@test-agents)' })).value).toBe('NOT_INUSE');
    await h.client.channels.hangup({ channelId: 'a201' });
    await waitFor(destroyed(h.events, 'a201'));
    expect(states('PJSIP/201')).toEqual(['RINGING', 'INUSE', 'NOT_INUSE']);
    await h.client.applications.unsubscribe({ applicationName: h.app, eventSource: 'deviceState:PJSIP/201' });
  });

  it('controls Stasis: device states over ARI and refuses other technologies with 409', async () => {
    await h.client.applications.subscribe({ applicationName: h.app, eventSource: 'deviceState:Stasis:agent201' });
    expect((await ariHttp(h.sim, 'PUT', '/ari/deviceStates/Stasis:agent201?deviceState=NOT_INUSE')).status).toBe(204);
    await waitFor(() => states('Stasis:agent201').length === 1);
    expect(states('Stasis:agent201')).toEqual(['NOT_INUSE']);
    expect(await h.client.deviceStates.get({ deviceName: 'Stasis:agent201' })).toMatchObject({ name: 'Stasis:agent201', state: 'NOT_INUSE' });
    expect((await ariHttp(h.sim, 'GET', '/ari/deviceStates/Custom:agent201')).body).toEqual({ name: 'Custom:agent201', state: 'UNKNOWN' });
    expect(await ariHttp(h.sim, 'PUT', '/ari/deviceStates/Custom:agent201?deviceState=NOT_INUSE')).toEqual({
      status: 409, body: { message: 'Uncontrolled device specified' },
    });
    expect((await ariHttp(h.sim, 'GET', '/ari/deviceStates')).body).toEqual([{ name: 'Stasis:agent201', state: 'NOT_INUSE' }]);
  });

  it('an agent scripted offline is UNAVAILABLE and cannot be reached', async () => {
    h.sim.world.setAgent('203', { offline: true });
    await h.client.channels.originate({ endpoint: 'Local/203@internal', app: h.app, channelId: 'a203' });
    await waitFor(destroyed(h.events, 'a203'));
    expect(eventsOf(h.events, 'Dial', 'a203').map(describeEvent)).toEqual(['Dial()', 'Dial(CHANUNAVAIL)']);
    expect(h.sim.world.deviceState('PJSIP/203')).toBe('UNAVAILABLE');
    h.sim.world.setAgent('203', { offline: false });
    expect(h.sim.world.deviceState('PJSIP/203')).toBe('NOT_INUSE');
  });

  it('evaluates CHANNEL() functions and round-trips channel and global variables', async () => {
    h.sim.world.setCustomer('5550100', { kind: 'answer', hangupAfterMs: 600_000 });
    await h.client.channels.originate({
      endpoint: 'Local/05550100@outgoing', app: h.app, channelId: 'vars', variables: { DIALER_TASK: '42' },
    });
    await waitFor(() => eventsOf(h.events, 'StasisStart', 'vars').length === 1);
    const get = async (id: string, variable: string) => (await h.client.channels.getChannelVar({ channelId: id, variable })).value;
    expect(await get('vars', 'CHANNEL(linkedid)')).toBe('vars');
    expect(await get('vars;2', 'CHANNEL(linkedid)')).toBe('vars');
    // the log call id is on the half that ran dialplan, not on the channel the app originated (as on Asterisk 22)
    expect(await get('vars', 'CHANNEL(callid)')).toBe('');
    expect(await get('vars;2', 'CHANNEL(callid)')).toMatch(/^\[C-[0-9a-f]{8}\]$/);
    expect(await get('vars', 'CHANNEL(state)')).toBe('Up');
    expect(await get('vars', 'DIALER_TASK')).toBe('42');
    await h.client.channels.setChannelVar({ channelId: 'vars', variable: 'DIALER_CAMPAIGN', value: 'c42' });
    expect(await get('vars', 'DIALER_CAMPAIGN')).toBe('c42');
    expect((await ariHttp(h.sim, 'GET', '/ari/channels/vars/variable?variable=NOPE')).status).toBe(404);
    expect((await ariHttp(h.sim, 'GET', '/ari/channels/gone/variable?variable=CHANNEL(state)')).status).toBe(404);

    await h.client.asterisk.setGlobalVar({ variable: 'DIALER_TEST', value: 'hello' });
    expect(await h.client.asterisk.getGlobalVar({ variable: 'DIALER_TEST' })).toEqual({ value: 'hello' });
    expect(await h.client.asterisk.getGlobalVar({ variable: 'CHANNEL(linkedid)' })).toEqual({ value: '' });
    await h.client.channels.hangup({ channelId: 'vars' });
    await waitFor(destroyed(h.events, 'vars'));
  });

  it('rejects requests without credentials and accepts api_key like Asterisk', async () => {
    expect((await fetch(`${h.sim.url}/ari/channels`)).status).toBe(401);
    const ok = await fetch(`${h.sim.url}/ari/channels?api_key=${h.sim.username}:${h.sim.password}`);
    expect(ok.status).toBe(200);
    expect((await ariHttp(h.sim, 'GET', '/ari/playbacks/nonexistent')).body).toEqual({ message: 'Playback not found' });
    expect((await ariHttp(h.sim, 'GET', '/ari/endpoints/Local')).body).toEqual({ message: 'No Endpoints found - invalid tech Local' });
    expect((await ariHttp(h.sim, 'GET', '/ari/asterisk/ping')).body.ping).toBe('pong');
  });
});
