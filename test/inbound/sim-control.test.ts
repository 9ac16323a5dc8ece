/** The simulator's control API places an inbound call as Asterisk's dialplan would: Stasis(app,inbound,<exten>). */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../sim/index.js';
import { connectAri } from '../../stasis/ari/ari-client-port.js';
import type { AriEvent, AriPort } from '../../stasis/ari/port.js';
import { freshEnv } from '../helpers/env.js';

let sim: Simulator;
let ari: AriPort;
let env: Awaited<ReturnType<typeof freshEnv>>;
const events: AriEvent[] = [];

beforeAll(async () => {
  sim = await startSimulator({ timeScale: 0.1 });
  env = await freshEnv();
  ari = await connectAri({ url: sim.url, username: sim.username, password: sim.password, app: 'inbound-test', log: env.log });
  ari.onEvent((e) => events.push(e));
});

afterAll(async () => {
  await ari?.close();
  await sim?.stop();
  await env?.cleanup();
});

const post = (body: unknown) =>
  fetch(`${sim.url}/sim/inbound`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

it('POST /sim/inbound: a Ring channel with the caller id enters the app with args inbound,<exten>; answered, keys follow', async () => {
  const res = await post({ app: 'inbound-test', from: '+79522233441', callerName: 'Ivan', exten: '700', dtmf: [{ afterAnswerMs: 100, digits: '5' }] });
  expect(res.status).toBe(201);
  const rec = (await res.json()) as { channelId: string };
  await new Promise((r) => setTimeout(r, 50));
  const start = events.find((e) => e.type === 'StasisStart' && e.channel.id === rec.channelId) as Extract<AriEvent, { type: 'StasisStart' }>;
  expect(start.args).toEqual(['inbound', '700']);
  expect(start.channel).toMatchObject({ state: 'Ring', caller: { name: 'Ivan', number: '+79522233441' } });
  expect(start.channel.dialplan).toMatchObject({ exten: '700', app_name: 'Stasis', app_data: 'inbound-test,inbound,700' });
  expect((await ari.answer(rec.channelId)).ok).toBe(true);
  await new Promise((r) => setTimeout(r, 100));
  expect(events.some((e) => e.type === 'ChannelDtmfReceived' && e.channel.id === rec.channelId && e.digit === '5')).toBe(true);
  expect((await ari.hangup(rec.channelId)).ok).toBe(true);
  await new Promise((r) => setTimeout(r, 50));
  const list = (await (await fetch(`${sim.url}/sim/inbound`)).json()) as { channelId: string; endedBy?: string; answeredAt?: number }[];
  expect(list.find((c) => c.channelId === rec.channelId)).toMatchObject({ endedBy: 'app', answeredAt: expect.any(Number) });
});

it('refuses an app nobody registered and a bad extension (400 naming the field)', async () => {
  const noApp = await post({ app: 'nobody', from: '1', exten: '700' });
  expect(noApp.status).toBe(400);
  expect(((await noApp.json()) as { message: string }).message).toContain('"nobody" is not registered');
  const bad = await post({ app: 'inbound-test', from: '1', exten: '7 0' });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { message: string }).message).toContain('exten');
});
