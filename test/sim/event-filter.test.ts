import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ariHttp, eventsOf, startHarness, waitFor, type Harness } from './harness.js';

describe("an app's event filter (PUT /applications/{app}/eventFilter), as on Asterisk 22", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ timeScale: 0.02 });
  });
  afterAll(async () => h.close());

  it('keeps back the disallowed event types and lists them on the application', async () => {
    const r = await ariHttp(h.sim, 'PUT', `/ari/applications/${h.app}/eventFilter`, { disallowed: [{ type: 'ChannelVarset' }, { type: 'ChannelDialplan' }] });
    expect(r.status).toBe(200);
    expect(r.body.events_disallowed).toEqual([{ type: 'ChannelVarset' }, { type: 'ChannelDialplan' }]);
    await h.client.channels.create({ endpoint: 'Local/echo@dialer-misc', app: h.app, channelId: 'filtered' });
    await waitFor(() => eventsOf(h.events, 'StasisStart', 'filtered').length === 1);
    expect(h.events.filter((e) => e.type === 'ChannelVarset' || e.type === 'ChannelDialplan').filter((e) => e.channel?.id === 'filtered')).toEqual([]);
  });

  it('refuses a malformed filter with 400 and clears both lists on an empty body', async () => {
    expect(await ariHttp(h.sim, 'PUT', `/ari/applications/${h.app}/eventFilter`, { allowed: 'StasisStart' })).toEqual({ status: 400, body: { message: 'Invalid format definition' } });
    const cleared = await ariHttp(h.sim, 'PUT', `/ari/applications/${h.app}/eventFilter`, {});
    expect(cleared.body).toMatchObject({ events_allowed: [], events_disallowed: [] });
    expect((await ariHttp(h.sim, 'PUT', '/ari/applications/no-such-app/eventFilter', {})).status).toBe(404);
  });
});
