/** Test harness: a simulator plus the real ari-client, recording every event per channel. */
import ari from 'ari-client';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../sim/index.js';
import { describeEvent, NOISE } from '../fidelity/describe-event.js';

export type Ev = Record<string, any> & { type: string };

export { NOISE };

export interface Harness {
  sim: Simulator;
  client: any;
  events: Ev[];
  app: string;
  close(): Promise<void>;
}

export async function startHarness(opts: SimulatorOptions = {}, app = 'probe'): Promise<Harness> {
  const sim = await startSimulator({ timeScale: 0.02, ...opts });
  const client: any = await ari.connect(sim.url, sim.username, sim.password);
  const events: Ev[] = [];
  client.on('*', (e: Ev) => events.push(e));
  await client.start(app);
  return {
    sim, client, events, app,
    async close() {
      client.stop();
      await sim.stop();
    },
  };
}

/** Compact description of an event, as written in observed.md: the one the fidelity suite compares with. */
export const describe: (e: Ev) => string = describeEvent;

export function channelIdOf(e: Ev): string | undefined {
  if (e.type === 'Dial') return e.peer?.id;
  return e.channel?.id;
}

/** Filtered sequence of one channel's events (Dial events count for their peer). */
export function sequenceFor(events: Ev[], channelId: string): string[] {
  return events.filter((e) => !NOISE.has(e.type) && channelIdOf(e) === channelId).map(describe);
}

export async function waitFor(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const destroyed = (events: Ev[], id: string) => () =>
  events.some((e) => e.type === 'ChannelDestroyed' && e.channel.id === id);

/** Raw ARI request (for status codes and bodies exactly as sent). */
export async function ariHttp(sim: Simulator, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: {
      authorization: `Basic ${Buffer.from(`${sim.username}:${sim.password}`).toString('base64')}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Events of one type for one channel (or playback id), in arrival order. */
export function eventsOf(events: Ev[], type: string, id?: string): Ev[] {
  return events.filter((e) => e.type === type && (id === undefined || channelIdOf(e) === id || e.playback?.id === id));
}
