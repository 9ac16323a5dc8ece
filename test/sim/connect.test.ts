import ari from 'ari-client';
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
    // Asterisk shows both orders of the first two (two threads); Busy first is what it did most often
    expect(sequenceFor(h.events, 'busy-1;2')).toEqual([
      'ChannelStateChange(Busy)', 'ChannelHangupRequest(0)', 'ChannelHangupRequest(16,soft)', 'ChannelDestroyed(17)',
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

describe('npm run sim (sim/main.ts)', () => {
  it('prints a loud banner with the URL and serves ARI there', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--import', 'tsx', 'sim/main.ts', '--port', '0', '--user', 'u1', '--password', 'p1', '--time-scale', '0.5'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('ARI URL')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      expect(out).toContain('SIMULATED ASTERISK');
      const url = /ARI URL:\s+(http:\/\/\S+)/.exec(out)![1]!;
      const client: any = await ari.connect(url, 'u1', 'p1');
      expect((await client.asterisk.ping()).ping).toBe('pong');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('refuses a bad flag value with a message naming the flag', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'sim/main.ts', '--time-scale', 'fast'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--time-scale');
  });
});
