/** The simulator's recordings as playback_record needs them: a wav file in the spool dir, keys during a recording. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ariHttp, eventsOf, startHarness, waitFor, type Ev, type Harness } from '../sim/harness.js';

/** Recording events of one channel (eventsOf knows channels by e.channel only). */
const recEvents = (events: Ev[], type: string, channelId: string) => events.filter((e) => e.type === type && e.recording?.target_uri === `channel:${channelId}`);

describe('simulator recordings', () => {
  let h: Harness;
  const spool = mkdtempSync(join(tmpdir(), 'sim-spool-'));
  beforeAll(async () => {
    h = await startHarness({ timeScale: 0.02, spoolDir: spool });
    // speaks 2 s, presses 1 2 # during the recording
    h.sim.world.setCustomer('4960001', {
      kind: 'answer',
      hangupAfterMs: 600_000,
      duringRecording: { talkMs: 2000, dtmf: [{ afterStartMs: 500, digits: '12#' }] },
    });
    h.sim.world.setCustomer('4960002', { kind: 'answer', hangupAfterMs: 600_000 });
  });
  afterAll(async () => {
    await h.close();
    rmSync(spool, { recursive: true, force: true });
  });

  async function call(number: string, id: string) {
    await h.client.channels.originate({ endpoint: `Local/${number}@test-clients`, app: h.app, channelId: id });
    await waitFor(() => eventsOf(h.events, 'StasisStart', id).length === 1);
  }

  it('refuses to record (500) while <spool>/recording does not exist, as Asterisk 22.10.1 does', async () => {
    await call('4960002', 'rec0');
    expect((await ariHttp(h.sim, 'POST', '/ari/channels/rec0/record?name=autodialer-rec0-q-1&format=wav')).status).toBe(500);
    mkdirSync(join(spool, 'recording')); // what the service does at start
    expect((await ariHttp(h.sim, 'POST', '/ari/channels/rec0/record?name=autodialer-rec0-q-1&format=wav&maxDurationSeconds=1')).status).toBe(201);
  });

  it('a scripted customer: keys during the recording, ends after max silence following the speech, wav of that length', async () => {
    await call('4960001', 'rec1');
    const r = await ariHttp(h.sim, 'POST', '/ari/channels/rec1/record?name=autodialer-rec1-q-1&format=wav&maxDurationSeconds=20&maxSilenceSeconds=3');
    expect(r.status).toBe(201);
    await waitFor(() => recEvents(h.events, 'RecordingFinished', 'rec1').length === 1);
    const digits = eventsOf(h.events, 'ChannelDtmfReceived', 'rec1').map((e) => e.digit);
    expect(digits).toEqual(['1', '2', '#']);
    const finished = recEvents(h.events, 'RecordingFinished', 'rec1')[0]!;
    expect(finished.recording).toMatchObject({ name: 'autodialer-rec1-q-1', state: 'done', duration: 5 }); // 2 s speech + 3 s silence
    const wav = readFileSync(join(spool, 'recording', 'autodialer-rec1-q-1.wav'));
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(8000);
    expect(wav.length).toBe(44 + 5 * 16000);
  });

  it('stopped early: the file holds what was recorded; names may hold sub-directories, ".." is refused', async () => {
    await call('4960001', 'rec2');
    expect((await ariHttp(h.sim, 'POST', '/ari/channels/rec2/record?name=bad/../x&format=wav')).status).toBe(400);
    await ariHttp(h.sim, 'POST', '/ari/channels/rec2/record?name=sub/dir-rec2&format=wav&maxDurationSeconds=20');
    await waitFor(() => recEvents(h.events, 'RecordingStarted', 'rec2').length === 1);
    await new Promise((r) => setTimeout(r, 1000 * 0.02 * 1.5)); // 1.5 s simulated
    expect((await ariHttp(h.sim, 'POST', `/ari/recordings/live/${encodeURIComponent('sub/dir-rec2')}/stop`)).status).toBe(204);
    await waitFor(() => recEvents(h.events, 'RecordingFinished', 'rec2').length === 1);
    expect(statSync(join(spool, 'recording', 'sub', 'dir-rec2.wav')).size).toBeGreaterThanOrEqual(44 + 16000);
  });

  it('a customer without a script sends no audio: duration 0 (as on Asterisk), a header-only wav', async () => {
    await call('4960002', 'rec3');
    await ariHttp(h.sim, 'POST', '/ari/channels/rec3/record?name=silent-rec3&format=wav&maxDurationSeconds=2&maxSilenceSeconds=1');
    await waitFor(() => recEvents(h.events, 'RecordingFinished', 'rec3').length === 1);
    expect(recEvents(h.events, 'RecordingFinished', 'rec3')[0]!.recording.duration).toBe(0);
    expect(statSync(join(spool, 'recording', 'silent-rec3.wav')).size).toBe(44);
  });
});
