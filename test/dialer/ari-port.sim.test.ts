import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { connectAri } from '../../stasis/ari/ari-client-port.js';
import type { AriEvent, AriPort } from '../../stasis/ari/port.js';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { until } from './helpers.js';

const log = pino({ level: 'silent' });
let sim: Simulator;
let ari: AriPort;
beforeAll(async () => {
  sim = await startSimulator({ port: 0, timeScale: 0.02 });
  ari = await connectAri({ url: sim.url, username: sim.username, password: sim.password, app: 'porttest', log });
});
afterAll(async () => {
  await ari.close();
  await sim.stop();
});

describe('ARI port over ari-client', () => {
  it('turns a missing channel into a typed "gone", never an exception', async () => {
    expect(await ari.getChannel('no-such-channel')).toEqual({ ok: false, error: 'gone' });
    expect(await ari.hangup('no-such-channel')).toEqual({ ok: false, error: 'gone' });
  });

  it('reports other HTTP errors with their status', async () => {
    const r = await ari.originate({ channelId: 'x-bad-tech', endpoint: 'Nope/123', timeoutSec: 5 });
    expect(r).toMatchObject({ ok: false, error: 'failed', status: 500 });
  });

  it('delivers events, including those that arrive before the HTTP answer', async () => {
    const seen: AriEvent[] = [];
    const off = ari.onEvent((e) => seen.push(e));
    const r = await ari.originate({ channelId: 'port-busy', endpoint: 'Local/79000000002@test-clients', timeoutSec: 5 });
    expect(r.ok).toBe(true);
    await until(() => seen.some((e) => e.type === 'ChannelDestroyed' && e.channel.id === 'port-busy'), 3000, 'destroyed');
    expect(seen.some((e) => e.type === 'Dial' && e.peer.id === 'port-busy' && e.dialstatus === 'BUSY')).toBe(true);
    off();
  });

  it('evaluates functions on a channel', async () => {
    expect((await ari.createChannel({ channelId: 'port-util', endpoint: 'Local/echo@dialer-misc' })).ok).toBe(true);
    expect(await ari.getVariable('port-util', 'DEVICE_STATE(PJSIP/201)')).toEqual({ ok: true, value: 'NOT_INUSE' });
    expect(await ari.getVariable('port-util', 'QUEUE_MEMBER(9000,free)')).toEqual({ ok: true, value: '4' });
  });

  it('says when a request provably never reached Asterisk', async () => {
    const dead = await connectAri({ url: 'http://127.0.0.1:1', username: 'a', password: 'b', app: 'dead', log });
    const r = await dead.originate({ channelId: 'never', endpoint: 'Local/1@x', timeoutSec: 5 });
    expect(r).toMatchObject({ ok: false, error: 'failed', status: 0, notSent: true });
    await dead.close();
  });

  it('keeps the "deprecated Swagger" notice of ari-client off stdout', async () => {
    const writes: string[] = [];
    const orig = process.stdout.write.bind(process.stdout);
    const orig2 = console.log;
    console.log = (...a: unknown[]) => writes.push(a.map(String).join(' '));
    try {
      const again = await connectAri({ url: sim.url, username: sim.username, password: sim.password, app: 'quiet', log });
      await again.close();
    } finally {
      console.log = orig2;
      process.stdout.write = orig;
    }
    expect(writes.filter((w) => w.includes('Swagger'))).toEqual([]);
  });
});

describe('two connections with one app name', () => {
  it('the replaced one reports itself disconnected instead of fighting', async () => {
    const a = await connectAri({ url: sim.url, username: sim.username, password: sim.password, app: 'twice', log });
    const states: string[] = [];
    a.onConnection((s) => states.push(s));
    const b = await connectAri({ url: sim.url, username: sim.username, password: sim.password, app: 'twice', log });
    await until(() => states.includes('disconnected'), 3000, 'replaced');
    await a.close();
    await b.close();
  });
});

describe('how ARI requests travel', () => {
  it('goes over the event WebSocket when Asterisk answers REST there, with the same typed outcomes', async () => {
    expect(ari.restTransport).toBe('websocket');
    expect(await ari.getChannel('no-such-channel')).toEqual({ ok: false, error: 'gone' });
    expect(await ari.originate({ channelId: 'x-bad-tech-ws', endpoint: 'Nope/123', timeoutSec: 5 })).toMatchObject({ ok: false, error: 'failed', status: 500 });
    const made = await ari.createChannel({ channelId: 'ws-util', endpoint: 'Local/echo@dialer-misc' });
    expect(made.ok).toBe(true);
    expect(await ari.getVariable('ws-util', 'QUEUE_EXISTS(9000)')).toEqual({ ok: true, value: '1' });
    expect(await ari.hangup('ws-util')).toEqual({ ok: true, value: undefined });
  });

  it('falls back to HTTP with an Asterisk that does not answer REST over the WebSocket', async () => {
    const old = await startSimulator({ port: 0, timeScale: 0.02, restOverWebSocket: false });
    const port = await connectAri({ url: old.url, username: old.username, password: old.password, app: 'porttest-old', log });
    try {
      expect(port.restTransport).toBe('http');
      expect(await port.getChannel('no-such-channel')).toEqual({ ok: false, error: 'gone' });
    } finally {
      await port.close();
      await old.stop();
    }
  });
});
