import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ariHttp, destroyed, describe as describeEvent, eventsOf, startHarness, waitFor, type Ev, type Harness } from './harness.js';
import { pcmToWav } from '../../src/media/wav.js';

/** `ms` of silence as Asterisk's 8 kHz mono 16-bit wav. */
const wav = (ms: number): Buffer => pcmToWav(Buffer.alloc(16 * ms));

describe('playback and DTMF', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    h = await startHarness({ timeScale: 0.05 });
    h.sim.world.setCustomer('700100', { kind: 'answer', hangupAfterMs: 600_000 });
    dir = mkdtempSync(join(tmpdir(), 'sim-media-'));
    writeFileSync(join(dir, 'greeting.wav'), wav(2000));
    writeFileSync(join(dir, 'long.wav'), wav(10_000));
  });
  afterAll(async () => h.close());

  async function answered(id: string): Promise<void> {
    await h.client.channels.originate({ endpoint: 'Local/700100@test-clients', app: h.app, channelId: id });
    await waitFor(() => eventsOf(h.events, 'StasisStart', id).length === 1);
  }
  const pbEvents = (pb: string) => h.events.filter((e) => e.playback?.id === pb).map(describeEvent);
  const finished = (pb: string) => () => h.events.some((e) => e.type === 'PlaybackFinished' && e.playback.id === pb);

  it('plays stock sounds, absolute paths found on disk and reports a missing file as failed', async () => {
    await answered('pb-call');
    const res = await h.client.channels.playWithId({ channelId: 'pb-call', playbackId: 'pb1', media: 'sound:beep' });
    expect(res.state).toBe('queued');
    await waitFor(finished('pb1'));
    expect(pbEvents('pb1')).toEqual(['PlaybackStarted(playing)', 'PlaybackFinished(done)']);

    await h.client.channels.playWithId({ channelId: 'pb-call', playbackId: 'pb2', media: `sound:${join(dir, 'greeting')}` });
    await waitFor(finished('pb2'));
    expect(pbEvents('pb2')).toEqual(['PlaybackStarted(playing)', 'PlaybackFinished(done)']);

    await h.client.channels.playWithId({ channelId: 'pb-call', playbackId: 'pb3', media: `sound:${join(dir, 'missing')}` });
    await waitFor(finished('pb3'));
    expect(pbEvents('pb3')).toEqual(['PlaybackStarted(playing)', 'PlaybackFinished(failed)']);
  });

  it('the wav header sets the duration: a 10 s file outlasts a 0.44 s beep started together', async () => {
    await answered('pb-race-a');
    await answered('pb-race-b');
    await h.client.channels.playWithId({ channelId: 'pb-race-a', playbackId: 'long', media: `sound:${join(dir, 'long')}` });
    await h.client.channels.playWithId({ channelId: 'pb-race-b', playbackId: 'short', media: 'sound:beep' });
    await waitFor(finished('long'));
    const order = h.events.filter((e) => e.type === 'PlaybackFinished' && ['long', 'short'].includes(e.playback.id)).map((e) => e.playback.id);
    expect(order).toEqual(['short', 'long']);
  });

  it('several media in one request continue from one to the next', async () => {
    await h.client.channels.playWithId({ channelId: 'pb-call', playbackId: 'pb4', media: ['sound:beep', 'sound:custom/short-tone'] });
    await waitFor(finished('pb4'));
    expect(pbEvents('pb4')).toEqual(['PlaybackStarted(playing)', 'PlaybackContinuing(continuing)', 'PlaybackStarted(playing)', 'PlaybackFinished(done)']);
    const cont = eventsOf(h.events, 'PlaybackContinuing', 'pb4')[0]!;
    expect(cont.playback.next_media_uri).toBe('sound:custom/short-tone');
  });

  it('a tone loops until the playback is stopped', async () => {
    await h.client.channels.playWithId({ channelId: 'pb-call', playbackId: 'tone1', media: 'tone:ring;tonezone=us' });
    await new Promise((r) => setTimeout(r, 300));
    expect(pbEvents('tone1')).toEqual(['PlaybackStarted(playing)']);
    await h.client.playbacks.stop({ playbackId: 'tone1' });
    await waitFor(finished('tone1'));
    expect(pbEvents('tone1')).toEqual(['PlaybackStarted(playing)', 'PlaybackFinished(done)']);
    expect((await ariHttp(h.sim, 'GET', '/ari/playbacks/tone1')).status).toBe(404);
  });

  it('a hangup mid-playback fails the playback before StasisEnd and ChannelDestroyed', async () => {
    await h.client.channels.playWithId({ channelId: 'pb-call', playbackId: 'pb5', media: 'sound:custom/dialer-announcement' });
    await waitFor(() => eventsOf(h.events, 'PlaybackStarted', 'pb5').length === 1);
    await h.client.channels.hangup({ channelId: 'pb-call' });
    await waitFor(destroyed(h.events, 'pb-call'));
    const tail = h.events
      .filter((e) => e.playback?.id === 'pb5' || (e.channel?.id === 'pb-call' && ['StasisEnd', 'ChannelDestroyed'].includes(e.type)))
      .map(describeEvent);
    expect(tail).toEqual(['PlaybackStarted(playing)', 'PlaybackFinished(failed)', 'StasisEnd', 'ChannelDestroyed(16)']);
  });

  it('the customer hanging up mid-playback gives the recorded F6 sequence', async () => {
    h.client.on('StasisStart', function onStart(e: Ev) {
      if (e.channel.id !== 'f6') return;
      h.client.removeListener('StasisStart', onStart);
      void h.client.channels.playWithId({ channelId: 'f6', playbackId: 'pb-f6', media: 'sound:custom/dialer-announcement' });
    });
    // F6 used customer …5 (hangs up after 0.5 s); 3 s leaves the play request time at this time scale.
    h.sim.world.setCustomer('700300', { kind: 'answer', hangupAfterMs: 3000 });
    await h.client.channels.originate({ endpoint: 'Local/700300@test-clients', app: h.app, channelId: 'f6' });
    await waitFor(destroyed(h.events, 'f6'));
    const seq = h.events
      .filter((e) => e.playback?.id === 'pb-f6' || (e.channel?.id ?? e.peer?.id) === 'f6')
      .filter((e) => !['ChannelVarset', 'ChannelDialplan'].includes(e.type))
      .map(describeEvent);
    expect(seq).toEqual([
      'Dial()', 'ChannelStateChange(Up)', 'Dial(ANSWER)', 'StasisStart(Up)', 'PlaybackStarted(playing)',
      'ChannelHangupRequest(16)', 'PlaybackFinished(failed)', 'StasisEnd', 'ChannelDestroyed(16)',
    ]);
  });

  it('playing on a gone channel is a 404 "Channel not found"', async () => {
    const r = await ariHttp(h.sim, 'POST', '/ari/channels/pb-call/play?media=sound:beep');
    expect(r).toEqual({ status: 404, body: { message: 'Channel not found' } });
  });

  it('scripted customer DTMF arrives on the dialer channel in order', async () => {
    h.sim.world.setCustomer('700200', { kind: 'answer', dtmf: [{ afterAnswerMs: 200, digits: '12' }, { afterAnswerMs: 2000, digits: '#' }], hangupAfterMs: 4000 });
    await h.client.channels.originate({ endpoint: 'Local/700200@test-clients', app: h.app, channelId: 'dtmf-call' });
    await waitFor(destroyed(h.events, 'dtmf-call'));
    const digits = eventsOf(h.events, 'ChannelDtmfReceived', 'dtmf-call').map((e: Ev) => `${e.digit}/${e.duration_ms}`);
    expect(digits).toEqual(['1/100', '2/100', '#/100']);
  });

  it('DTMF sent by the app shows up on the customer half (;2)', async () => {
    await answered('dtmf-out');
    await h.client.channels.sendDTMF({ channelId: 'dtmf-out', dtmf: '12#' });
    await waitFor(() => eventsOf(h.events, 'ChannelDtmfReceived', 'dtmf-out;2').length === 3);
    expect(eventsOf(h.events, 'ChannelDtmfReceived', 'dtmf-out;2').map((e) => e.digit)).toEqual(['1', '2', '#']);
    await h.client.channels.hangup({ channelId: 'dtmf-out', reason: 'busy' });
    await waitFor(destroyed(h.events, 'dtmf-out'));
    expect(eventsOf(h.events, 'ChannelDestroyed', 'dtmf-out')[0]!.cause).toBe(17);
  });
});
