import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../sim/index.js';
import { ariHttp, destroyed, describe as describeEvent, eventsOf, startHarness, waitFor, type Harness } from './harness.js';

describe('resource objects, recordings, snoop and queue hangups', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timeScale: 0.02 });
    h.sim.world.setCustomer('4960000', { kind: 'answer', hangupAfterMs: 600_000 });
  });
  afterAll(async () => h.close());

  it("works with ari-client's Channel and Playback objects (ids chosen client-side)", async () => {
    const channel = h.client.Channel();
    const started = new Promise((resolve) => channel.once('StasisStart', resolve));
    await channel.originate({ endpoint: 'Local/4960000@test-clients', app: h.app });
    await started;
    const playback = h.client.Playback();
    const done = new Promise<any>((resolve) => playback.once('PlaybackFinished', (e: any) => resolve(e)));
    await channel.play({ media: 'sound:beep' }, playback);
    expect((await done).playback.id).toBe(playback.id);
    await channel.hangup();
    await waitFor(destroyed(h.events, channel.id));
  });

  it('answers a channel created in Stasis (Down → Up) and refuses to answer one outside Stasis', async () => {
    await h.client.channels.create({ endpoint: 'Local/echo@dialer-misc', app: h.app, channelId: 'ans' });
    await waitFor(() => eventsOf(h.events, 'StasisStart', 'ans').length === 1);
    expect(eventsOf(h.events, 'StasisStart', 'ans')[0]!.channel.state).toBe('Down');
    await h.client.channels.answer({ channelId: 'ans' });
    await waitFor(() => eventsOf(h.events, 'ChannelStateChange', 'ans').length === 1);
    expect(eventsOf(h.events, 'ChannelStateChange', 'ans')[0]!.channel.state).toBe('Up');
    await h.client.channels.continueInDialplan({ channelId: 'ans', context: 'dialer-misc', extension: 'echo' });
    expect(await ariHttp(h.sim, 'POST', '/ari/channels/ans/answer')).toEqual({ status: 409, body: { message: 'Channel not in Stasis application' } });
    expect((await ariHttp(h.sim, 'DELETE', '/ari/channels/ans')).status).toBe(204);
  });

  it("emits Asterisk's chatter (ChannelVarset, ChannelDialplan) that apps must filter out", () => {
    const ch = h.events.find((e) => e.type === 'StasisStart')!.channel.id;
    const vars = h.events.filter((e) => e.type === 'ChannelVarset' && e.channel.id === ch).map((e) => `${e.variable}=${e.value}`);
    expect(vars).toEqual(['STASISSTATUS=', 'STASISSTATUS=SUCCESS']);
    expect(h.events.some((e) => e.type === 'ChannelDialplan' && e.channel.id === `${ch};2`)).toBe(true);
  });

  it('records (duration 0, as a silent Local channel on Asterisk) and keeps the stored recording', async () => {
    await h.client.channels.originate({ endpoint: 'Local/4960000@test-clients', app: h.app, channelId: 'rec' });
    await waitFor(() => eventsOf(h.events, 'StasisStart', 'rec').length === 1);
    const live = await ariHttp(h.sim, 'POST', '/ari/channels/rec/record?name=probe-rec&format=wav&maxDurationSeconds=4');
    expect(live.status).toBe(201);
    expect(live.body).toMatchObject({ name: 'probe-rec', format: 'wav', state: 'queued', target_uri: 'channel:rec' });
    await waitFor(() => h.events.some((e) => e.type === 'RecordingFinished'));
    expect(h.events.filter((e) => e.recording).map((e) => `${e.type}(${e.recording.state})`)).toEqual([
      'RecordingStarted(recording)', 'RecordingFinished(done)',
    ]);
    expect(eventsOf(h.events, 'RecordingFinished')[0]!.recording.duration).toBe(0);
    expect((await ariHttp(h.sim, 'GET', '/ari/recordings/stored/probe-rec')).status).toBe(200);
    expect((await ariHttp(h.sim, 'DELETE', '/ari/recordings/stored/probe-rec')).status).toBe(204);
  });

  it('snoops a channel: a Snoop/… channel enters Stasis and goes with its target', async () => {
    const snoop = await h.client.channels.snoopChannel({ channelId: 'rec', spy: 'both', app: h.app, snoopId: 'spy1' });
    expect(snoop.name).toMatch(/^Snoop\/rec-[0-9a-f]{8}$/);
    await waitFor(() => eventsOf(h.events, 'StasisStart', 'spy1').length === 1);
    await h.client.channels.hangup({ channelId: 'rec' });
    await waitFor(destroyed(h.events, 'spy1'));
  });

  it('hangs the customer up when the queue agent hangs up', async () => {
    h.sim.world.setAgent('201', { answerAfterMs: 500, hangupAfterMs: 2000 });
    h.sim.world.setQueueMembers('9000', ['201']);
    await h.client.channels.originate({ endpoint: 'Local/4960000@test-clients', app: h.app, channelId: 'qc' });
    await waitFor(() => eventsOf(h.events, 'StasisStart', 'qc').length === 1);
    await h.client.channels.continueInDialplan({ channelId: 'qc', context: 'dialer-queue', extension: '9000' });
    await waitFor(destroyed(h.events, 'qc'));
    expect(h.events.filter((e) => e.type === 'Dial' && e.caller?.id === 'qc').map(describeEvent)).toEqual([
      'Dial()', 'Dial(RINGING)', 'Dial(ANSWER)',
    ]);
    expect(eventsOf(h.events, 'ChannelDestroyed', 'qc')[0]!.cause).toBe(16);
    expect(h.sim.world.deviceState('PJSIP/201')).toBe('NOT_INUSE');
  });
});

describe('originate into the dialplan (extension instead of app)', () => {
  it('sends the answered customer to queue 9000, which rings an agent', async () => {
    const h = await startHarness({ timeScale: 0.02 });
    try {
      h.sim.world.setCustomer('4917000005', { kind: 'answer', hangupAfterMs: 600_000 });
      const r = await ariHttp(h.sim, 'POST', '/ari/channels?endpoint=Local/4917000005@test-clients&extension=9000&context=dialer-queue&channelId=dp');
      expect(r.status).toBe(200);
      await waitFor(() => h.sim.world.channels().some((c: any) => /^Local\/20\d@test-agents-.*;1$/.test(c.name) && c.state === 'Up'));
      const dp = h.sim.world.channels().find((c: any) => c.id === 'dp') as any;
      expect(dp.dialplan).toMatchObject({ context: 'dialer-queue', exten: '9000', app_name: 'Queue' });
      expect(h.events.some((e) => e.channel?.id === 'dp')).toBe(false); // no app: nothing is subscribed
    } finally {
      await h.close();
    }
  });
});

describe('seeded jitter', () => {
  async function scriptedAnswers(seed: number): Promise<number[]> {
    const sim = await startSimulator({ timeScale: 0.001, seed, jitterMs: 5000 });
    try {
      for (let i = 0; i < 4; i++) {
        await ariHttp(sim, 'POST', `/ari/channels?endpoint=Local/491700000${i === 3 ? 7 : 0}@test-clients&app=x&channelId=j${i}`);
      }
      await waitFor(() => sim.world.callLog.every((c) => c.scriptedAnswerMs !== undefined));
      return sim.world.callLog.map((c) => c.scriptedAnswerMs!);
    } finally {
      await sim.stop();
    }
  }

  it('the same seed scripts the same delays; another seed different ones', async () => {
    const a = await scriptedAnswers(7);
    expect(await scriptedAnswers(7)).toEqual(a);
    expect(await scriptedAnswers(8)).not.toEqual(a);
    expect(a.every((ms, i) => ms >= (i === 3 ? 3000 : 2000) && ms < (i === 3 ? 8000 : 7000))).toBe(true);
  });
});
