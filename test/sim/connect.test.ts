import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destroyed, sequenceFor, startHarness, waitFor, type Harness } from './harness.js';

describe('the real ari-client against the simulator', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  it('loads every resource the dialer uses from our swagger declarations', () => {
    for (const r of ['channels', 'bridges', 'playbacks', 'deviceStates', 'applications', 'asterisk', 'events']) {
      expect(h.client[r], r).toBeTypeOf('object');
    }
    expect(h.client.channels.originate).toBeTypeOf('function');
    expect(h.client.channels.playWithId).toBeTypeOf('function');
    expect(h.client.channels.getChannelVar).toBeTypeOf('function');
  });

  it('originates with a client-chosen id and reports a busy customer like Asterisk', async () => {
    const ch = await h.client.channels.originate({ endpoint: 'Local/4917000002@test-clients', app: 'probe', channelId: 'busy-1' });
    expect(ch.id).toBe('busy-1');
    await waitFor(destroyed(h.events, 'busy-1;2'));
    expect(sequenceFor(h.events, 'busy-1')).toEqual(['Dial()', 'Dial(BUSY)', 'ChannelDestroyed(0)']);
    expect(sequenceFor(h.events, 'busy-1;2')).toEqual([
      'ChannelHangupRequest(0)', 'ChannelStateChange(Busy)', 'ChannelHangupRequest(16,soft)', 'ChannelDestroyed(17)',
    ]);
  });

  it('answers errors with the JSON shape of Asterisk', async () => {
    await expect(h.client.channels.get({ channelId: 'nope' })).rejects.toThrow('{"message":"Channel not found"}');
    await expect(h.client.channels.originate({ endpoint: 'Local/1@test-clients' })).rejects.toThrow(
      'Application or extension must be specified',
    );
    await expect(h.client.channels.originate({ endpoint: 'PJSIP/100', app: 'probe' })).rejects.toThrow('Allocation failed');
  });
});

describe('stopping the simulator', () => {
  it('stops while an ari-client WebSocket is still connected', async () => {
    const h = await startHarness();
    const closed = new Promise<void>((resolve) => h.client.once('WebSocketReconnecting', () => resolve()));
    await h.sim.stop();
    await closed;
    h.client.stop();
  });
});
