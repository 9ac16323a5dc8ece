import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startSimulator } from '../../sim/index.js';

/** The outage suites stop Asterisk while the service is connected: stop() must not wait for the client. */
describe('simulator stop with a connected event WebSocket', () => {
  it('resolves promptly and closes the socket (Asterisk going away)', async () => {
    const sim = await startSimulator({ port: 0 });
    const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/ari/events?app=x&api_key=asterisk:asterisk`);
    await new Promise((resolve, reject) => {
      ws.on('open', resolve);
      ws.on('error', reject);
    });
    const closed = new Promise((resolve) => ws.on('close', resolve));
    const outcome = await Promise.race([sim.stop().then(() => 'stopped'), new Promise((r) => setTimeout(() => r('still waiting'), 3000))]);
    expect(outcome).toBe('stopped');
    await closed;
  });
});
