/**
 * A restarting Asterisk answers HTTP before it has booted (measured on 22.10.1 with `core restart now`): every
 * ARI request gets 503 {"message":"Asterisk not booted"} and the events WebSocket is refused, until boot ends.
 * `bootMs` gives the simulator the same window after start, so reconnect logic can be tested without a PBX.
 */
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index.js';

const auth = (s: Simulator) => ({ authorization: `Basic ${Buffer.from(`${s.username}:${s.password}`).toString('base64')}` });

async function originate(s: Simulator): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${s.url}/ari/channels?endpoint=Local/4917000005@test-clients&app=probe`, { method: 'POST', headers: auth(s) });
  return { status: res.status, body: await res.json() };
}

function upgrade(s: Simulator): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${s.url.replace('http', 'ws')}/ari/events?app=probe`, { headers: auth(s) });
    ws.on('open', () => (ws.close(), resolve('open')));
    ws.on('unexpected-response', (_req, res) => (ws.terminate(), resolve(res.statusCode ?? 0)));
    ws.on('error', () => resolve(0));
  });
}

describe('boot window (bootMs)', () => {
  let sim: Simulator | undefined;
  afterEach(async () => sim?.stop());

  it('answers 503 "Asterisk not booted" and refuses the events WebSocket until boot ends, then works', async () => {
    sim = await startSimulator({ timeScale: 0.02, bootMs: 400 });
    expect(await originate(sim)).toEqual({ status: 503, body: { message: 'Asterisk not booted' } });
    const ping = await fetch(`${sim.url}/ari/asterisk/ping`, { headers: auth(sim) });
    expect(ping.status).toBe(503);
    expect(await upgrade(sim)).toBe(503);
    await new Promise((r) => setTimeout(r, 450));
    expect((await originate(sim)).status).toBe(200);
    expect(await upgrade(sim)).toBe('open');
  });

  it('is booted at once by default', async () => {
    sim = await startSimulator({ timeScale: 0.02 });
    expect((await originate(sim)).status).toBe(200);
    expect(await upgrade(sim)).toBe('open');
  });
});
