import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '../faults/harness/service.js';
import { dialsPerNumber, pbxService, type PbxService } from './dialer-harness.js';
import { pbxSkipReason, startPbx, type Pbx } from './pbx.js';

/**
 * Customers put through to agents and queues on a real Asterisk 22, without SIP: agents are Local channels of
 * the test world (`Local/20X@test-agents`, rung as `Local/20X@internal`), whose availability comes either from
 * the Local device state or from ARI-controlled `Stasis:` device states (queue 9001's state_interface). Nothing
 * tells the service which targets are queues (no DIALER_QUEUES): it finds out from Asterisk.
 */

/** The far end hangs up: `channel request hangup` on the channel running that party's dialplan. */
async function hangUpParty(pbx: Pbx, namePrefix: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const names = (await pbx.cli('core show channels concise')).split('\n').map((l) => l.split('!')[0]!);
    const name = names.find((n) => n.startsWith(namePrefix) && n.endsWith(';2'));
    if (name) {
      await pbx.cli(`channel request hangup ${name}`);
      return;
    }
    if (Date.now() > end) throw new Error(`no channel ${namePrefix}…;2 on the PBX`);
    await sleep(200);
  }
}

/** Wait until the PBX shows the dialer's bridge with two channels (customer and agent talking). */
async function untilBridged(pbx: Pbx, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const out = await pbx.cli('bridge show all');
    // Dial() makes "basic" bridges of its own inside the Local chains; ours is the Stasis one, "<channel id>-br"
    if (/^dlr-\S+-br\s+\S+\s+2\s+stasis\b/m.test(out)) return;
    if (Date.now() > end) throw new Error(`no two-party bridge on the PBX: ${out}`);
    await sleep(200);
  }
}

async function setStasisState(pbx: Pbx, device: string, state: string) {
  const r = await fetch(`${pbx.url}/ari/deviceStates/Stasis:${device}?deviceState=${state}`, {
    method: 'PUT',
    headers: { authorization: 'Basic ' + Buffer.from(`${pbx.username}:${pbx.password}`).toString('base64') },
  });
  if (r.status !== 204) throw new Error(`PUT Stasis:${device}: HTTP ${r.status}`);
}

const only = (s: PbxService, taskId: number) => {
  const rows = s.rows(taskId);
  expect(rows).toHaveLength(1);
  return rows[0]!;
};

describe.skipIf(pbxSkipReason())('agents and queues on a real Asterisk', () => {
  let pbx: Pbx;
  beforeAll(async () => {
    pbx = await startPbx();
  });
  afterAll(() => pbx?.destroy());

  describe('agents followed by their Local device state (DIALER_AGENT_DEVICE=Local/{exten}@test-agents)', () => {
    let s: PbxService;
    beforeAll(async () => {
      s = await pbxService({ DIALER_AGENT_DEVICE: 'Local/{exten}@test-agents' }, pbx);
    });
    afterAll(() => s?.stop());

    it('puts the customer through to extension 201 and records that the customer hung up first', async () => {
      const t = await s.task({ innerNum: '201', numbers: ['79020000007'] });
      await untilBridged(pbx);
      await hangUpParty(pbx, 'Local/79020000007@test-clients');
      await s.waitClosed(t, 20_000);
      expect(only(s, t)).toMatchObject({ result: 'SUCCESS_CLIENT_H', state: 'endCall', outDialState: 'ANSWER', inDialState: 'ANSWER' });
      expect(dialsPerNumber(pbx).get('79020000007')).toBe(1);
    });

    it('records that the agent hung up first', async () => {
      const t = await s.task({ innerNum: '202', numbers: ['79020000017'] });
      await untilBridged(pbx);
      await hangUpParty(pbx, 'Local/202@test-agents');
      await s.waitClosed(t, 20_000);
      expect(only(s, t)).toMatchObject({ result: 'SUCCESS_USER_H', state: 'endCall', inDialState: 'ANSWER' });
    });

    it('records FAIL_USER_NO_ANSWER when the agent answers busy', async () => {
      // 204's Local device looks free, but the extension answers Busy()
      const t = await s.task({ innerNum: '204', numbers: ['79020000027'] });
      await s.waitClosed(t, 30_000);
      expect(only(s, t)).toMatchObject({ result: 'FAIL_USER_NO_ANSWER', state: 'endDial', outDialState: 'ANSWER', inDialState: 'BUSY' });
    });

    it('finds out by itself that 9000 is a queue and puts the customer through to a member', async () => {
      const t = await s.task({ innerNum: '9000', numbers: ['79020000037'] });
      await untilBridged(pbx);
      await hangUpParty(pbx, 'Local/79020000037@test-clients');
      await s.waitClosed(t, 30_000);
      expect(only(s, t)).toMatchObject({ result: 'SUCCESS_CLIENT_H', inDialState: 'ANSWER' });
    });
  });

  describe('agents followed by Stasis: device states (DIALER_AGENT_DEVICE=Stasis:agent{exten}, queue 9001)', () => {
    let s: PbxService;
    beforeAll(async () => {
      for (const a of ['agent201', 'agent202', 'agent203', 'agent204']) await setStasisState(pbx, a, 'UNAVAILABLE');
      s = await pbxService({ DIALER_AGENT_DEVICE: 'Stasis:agent{exten}', ARI_APP: 'autodialer-stasis' }, pbx);
    });
    afterAll(() => s?.stop());

    it('waits while no member of queue 9001 is free, and dials as soon as one becomes free', async () => {
      const t = await s.task({ innerNum: '9001', numbers: ['79030000007'] });
      await sleep(3000);
      expect(dialsPerNumber(pbx).get('79030000007')).toBeUndefined();
      expect(only(s, t)).toMatchObject({ state: 'CreateTask', result: '' });
      await setStasisState(pbx, 'agent202', 'NOT_INUSE');
      await untilBridged(pbx);
      await hangUpParty(pbx, 'Local/202@test-agents');
      await s.waitClosed(t, 30_000);
      expect(only(s, t)).toMatchObject({ result: 'SUCCESS_USER_H', inDialState: 'ANSWER' });
      await setStasisState(pbx, 'agent202', 'UNAVAILABLE');
    });

    it('records FAIL_USER_BUSY and hangs up the customer when the agent turns busy while the customer rings', async () => {
      await setStasisState(pbx, 'agent203', 'NOT_INUSE');
      const t = await s.task({ innerNum: '203', numbers: ['79030000017'] });
      // customer …7 rings 3 s before answering: the agent takes another call meanwhile
      const end = Date.now() + 10_000;
      while (!dialsPerNumber(pbx).get('79030000017')) {
        if (Date.now() > end) throw new Error('customer never dialed');
        await sleep(100);
      }
      await setStasisState(pbx, 'agent203', 'INUSE');
      await s.waitClosed(t, 30_000);
      expect(only(s, t)).toMatchObject({ result: 'FAIL_USER_BUSY', state: 'allUserBusy', outDialState: 'ANSWER' });
      // no agent was rung, and the customer's call is gone from the PBX
      const channels = await pbx.cli('core show channels concise');
      expect(channels).not.toContain('79030000017');
      expect(channels).not.toContain('Local/203@internal');
    });
  });
});
