/**
 * Every call scenario recorded from the real Asterisk 22 (observed.md §2A/B/C) replayed against the
 * simulator through the real ari-client: the filtered event sequence of each channel half must be
 * exactly the recorded one (fixtures/recorded-sequences.json, derived from ari-events-raw.jsonl).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyed, startHarness, waitFor, type Ev, type Harness, NOISE, describe as describeEvent } from './harness.js';

const recorded = JSON.parse(readFileSync(new URL('./fixtures/recorded-sequences.json', import.meta.url), 'utf8')) as Record<
  string,
  Record<string, string[]>
>;

const interleaved = JSON.parse(readFileSync(new URL('./fixtures/recorded-interleaved.json', import.meta.url), 'utf8')) as Record<string, string[]>;

/**
 * The two halves go Up at the same instant; the recording shows both orders (A1 vs A9), so an adjacent
 * pair of Up changes is compared without its order.
 */
function canonical(seq: string[]): string[] {
  const out = [...seq];
  for (let i = 0; i + 1 < out.length; i++) {
    const pair = [out[i]!, out[i + 1]!];
    if (pair.every((x) => x.endsWith('ChannelStateChange(Up)'))) [out[i], out[i + 1]] = pair.sort();
  }
  return out;
}

interface Case {
  endpoint: string;
  mode: 'originate' | 'create';
  timeout?: number;
  /** App action once the given event arrived for ;1. */
  hangupOn?: 'StasisStart' | 'Dial(RINGING)';
}

const CASES: Record<string, Case> = {
  'A0-answer-play': { endpoint: 'Local/4917000000@test-clients', mode: 'originate', hangupOn: 'StasisStart' },
  'A1-answer-dtmf1': { endpoint: 'Local/4917000001@test-clients', mode: 'originate' },
  'A2-busy': { endpoint: 'Local/4917000002@test-clients', mode: 'originate' },
  'A3-noanswer': { endpoint: 'Local/4917000003@test-clients', mode: 'originate', timeout: 15 },
  'A4-congestion': { endpoint: 'Local/4917000004@test-clients', mode: 'originate' },
  'A5-answer-hangup': { endpoint: 'Local/4917000005@test-clients', mode: 'originate' },
  'A6-answer-dtmf39': { endpoint: 'Local/4917000006@test-clients', mode: 'originate' },
  'A8-unallocated': { endpoint: 'Local/4917000008@test-clients', mode: 'originate' },
  'A9-machine': { endpoint: 'Local/4917000009@test-clients', mode: 'originate' },
  'AN1-noroute-exten': { endpoint: 'Local/abc@test-clients', mode: 'originate' },
  'AN2-noroute-context': { endpoint: 'Local/4917000001@no-such-context', mode: 'originate' },
  'AN4-app-hangup-while-ringing': { endpoint: 'Local/4917000003@test-clients', mode: 'originate', hangupOn: 'Dial(RINGING)' },
  'B1-out-answer-dtmf1': { endpoint: 'Local/04917000001@outgoing', mode: 'originate' },
  'B2-out-busy': { endpoint: 'Local/04917000002@outgoing', mode: 'originate' },
  'B3-out-noanswer': { endpoint: 'Local/04917000003@outgoing', mode: 'originate', timeout: 15 },
  'B4-out-congestion': { endpoint: 'Local/04917000004@outgoing', mode: 'originate' },
  'B5-out-answer-hangup': { endpoint: 'Local/04917000005@outgoing', mode: 'originate' },
  'B8-out-unallocated': { endpoint: 'Local/04917000008@outgoing', mode: 'originate' },
  'BN1-out-noroute': { endpoint: 'Local/4917000001@outgoing', mode: 'originate' },
  'C1-cd-answer-dtmf1': { endpoint: 'Local/4917000001@test-clients', mode: 'create' },
  'C2-cd-busy': { endpoint: 'Local/4917000002@test-clients', mode: 'create' },
  'C3-cd-noanswer': { endpoint: 'Local/4917000003@test-clients', mode: 'create', timeout: 15 },
  'C4-cd-congestion': { endpoint: 'Local/4917000004@test-clients', mode: 'create' },
  'C8-cd-unallocated': { endpoint: 'Local/4917000008@test-clients', mode: 'create' },
  'CN1-cd-noroute': { endpoint: 'Local/abc@test-clients', mode: 'create' },
};

function halfOf(e: Ev, id: string): string | undefined {
  if (e.type === 'Dial' && e.caller?.id === `${id};2`) return 'inner';
  const cid = e.type === 'Dial' ? e.peer?.id : e.channel?.id;
  if (cid === id) return ';1';
  if (cid === `${id};2`) return ';2';
  return undefined;
}

function inOrder(events: Ev[], id: string): string[] {
  return events.filter((e) => !NOISE.has(e.type) && halfOf(e, id)).map((e) => `${halfOf(e, id)} ${describeEvent(e)}`);
}

function halves(events: Ev[], id: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of events) {
    if (NOISE.has(e.type)) continue;
    let half: string | undefined;
    if (e.type === 'Dial' && e.caller?.id === `${id};2`) half = 'inner';
    else {
      const cid = e.type === 'Dial' ? e.peer?.id : e.channel?.id;
      if (cid === id) half = ';1';
      else if (cid === `${id};2`) half = ';2';
    }
    if (half) (out[half] ??= []).push(describeEvent(e));
  }
  return out;
}

describe('recorded Asterisk scenarios replayed on the simulator', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timeScale: 0.02 });
    // The recording set-up had no default route in [outgoing]: BN1 expects "no route".
    h.sim.world.config.outgoingDefaultRoute = false;
  });
  afterAll(async () => h.close());

  it('covers every recorded A/B/C scenario', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(recorded).sort());
  });

  for (const [name, c] of Object.entries(CASES)) {
    it(`${name}: same events, causes and order as the real Asterisk`, async () => {
      const id = `${name}-x`;
      if (c.hangupOn) {
        h.client.on('*', function onEv(e: Ev) {
          const cid = e.type === 'Dial' ? e.peer?.id : e.channel?.id;
          if (cid === id && describeEvent(e).startsWith(c.hangupOn!)) {
            h.client.removeListener('*', onEv);
            void h.client.channels.hangup({ channelId: id });
          }
        });
      }
      if (c.mode === 'originate') {
        const ch = await h.client.channels.originate({
          endpoint: c.endpoint, app: h.app, appArgs: name, channelId: id, timeout: c.timeout ?? 20, callerId: '"Dialer" <4930111222>',
        });
        expect(ch.id).toBe(id);
      } else {
        await h.client.channels.create({ endpoint: c.endpoint, app: h.app, appArgs: name, channelId: id });
        await waitFor(() => h.events.some((e) => e.type === 'StasisStart' && e.channel.id === id));
        await h.client.channels.dial({ channelId: id, timeout: c.timeout ?? 20 });
      }
      await waitFor(destroyed(h.events, id), 8000);
      if (c.mode === 'originate') await waitFor(destroyed(h.events, `${id};2`), 8000);
      await new Promise((r) => setTimeout(r, 20));
      expect(halves(h.events, id)).toEqual(recorded[name]);
      expect(canonical(inOrder(h.events, id)), 'order across the halves').toEqual(canonical(interleaved[name]!));
    });
  }
});
