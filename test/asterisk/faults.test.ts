import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { allResultsFromApi } from '../faults/harness/campaign.js';
import { sleep } from '../faults/harness/service.js';
import { pbxService, type PbxService, type Row } from './dialer-harness.js';
import { pbxSkipReason, startPbx, type Pbx } from './pbx.js';

/**
 * Faults on a real Asterisk 22: the service killed mid-campaign and started again, the PBX restarted
 * mid-campaign, a graceful stop. The witness is the PBX's own dial log (a line per dial, with the call's
 * linkedid = the channel id the dialer chose), not the dialer's bookkeeping.
 */

/** Numbers whose last digit picks the test world's behaviour; `digits` cycles through the behaviours wanted. */
const numbersFor = (base: string, count: number, digits: string) => Array.from({ length: count }, (_, i) => `${base}${String(i).padStart(3, '0')}${digits[i % digits.length]}`);

const auth = (pbx: Pbx) => ({ authorization: 'Basic ' + Buffer.from(`${pbx.username}:${pbx.password}`).toString('base64') });

/** Calls of ours the PBX has up now (customer legs: outbound route channels). */
async function customerCallsUp(pbx: Pbx): Promise<number> {
  const r = await fetch(`${pbx.url}/ari/channels`, { headers: auth(pbx) });
  if (!r.ok) return 0;
  const list = (await r.json()) as { id: string }[];
  return list.filter((c) => /^dlr-\d+-\d+-[a-z0-9]+$/.test(c.id) && c.id !== FOREIGN).length;
}

/** Another application's channel, with an id shaped like ours. */
const FOREIGN = 'dlr-1-1-foreign';

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/**
 * The invariants of a campaign that went through faults: every number has a terminal result and every row is
 * in GET /results; the PBX never dialed a number more often than its maxAttempt, never dialed one attempt twice,
 * and never dialed anything the dialer has no row for; each row with a verdict about the customer was dialed.
 */
async function verify(s: PbxService, numbers: string[], maxAttempt: number, o: { afterCrash?: boolean } = {}) {
  const rows = s.rows();
  const dials = s.pbx.dials().filter((d) => numbers.includes(d.number));
  const problems: string[] = [];
  const say = (what: string, items: unknown[]) => items.length && problems.push(`${what}: ${JSON.stringify(items.slice(0, 5))}`);
  const byNumber = new Map<string, Row[]>();
  for (const r of rows) byNumber.set(r.phone, [...(byNumber.get(r.phone) ?? []), r]);
  say('numbers without a row', numbers.filter((n) => !byNumber.has(n)));
  say('rows without a terminal result', rows.filter((r) => !r.result || !r.closeTime).map((r) => [r.phone, r.state]));
  const perNumber = new Map<string, number>();
  for (const d of dials) perNumber.set(d.number, (perNumber.get(d.number) ?? 0) + 1);
  say('numbers dialed more than maxAttempt', [...perNumber].filter(([, n]) => n > maxAttempt));
  const perCall = new Map<string, number>();
  for (const d of dials) perCall.set(d.linkedId, (perCall.get(d.linkedId) ?? 0) + 1);
  say('attempts dialed twice', [...perCall].filter(([, n]) => n > 1));
  const callFiles = new Set(rows.map((r) => r.callFile));
  say('dials with no attempt row', dials.filter((d) => !callFiles.has(d.linkedId)));
  // A verdict about the customer (busy, no route, failed originate…) on a call the PBX never dialed would be a
  // number lost for a verdict it never earned.
  const dialed = new Set(dials.map((d) => d.linkedId));
  // One exception, after a crash only: the service died after writing "originate sent" and before Asterisk had
  // the request, or Asterisk dialed it and the call ended while nobody watched; after the restart nobody can tell
  // which, so it counts as an attempt (FAIL, failedOriginate) and the number keeps its remaining attempts.
  const unprovable = (r: Row) => o.afterCrash && r.state === 'failedOriginate' && r.cause === 'channel gone after restart';
  const verdictWithoutDial = rows.filter(
    (r) => r.result && !['SUCCESS_ANOTHER_PHONE', 'SUCCESS_EXTERNAL_SIGNAL'].includes(r.result) && !dialed.has(r.callFile ?? '') && !unprovable(r),
  );
  say('results recorded on calls the PBX never dialed', verdictWithoutDial.map((r) => [r.phone, r.result, r.state, r.cause]));
  const lost = rows.filter(unprovable).filter((r) => r.attemptNumber < maxAttempt && !rows.some((x) => x.phone === r.phone && x.attemptNumber > r.attemptNumber));
  say('numbers left without their remaining attempts after an unprovable one', lost.map((r) => r.phone));
  const api = await allResultsFromApi(s.url);
  say('rows missing from GET /results', rows.filter((r) => api.get(r.id)?.result !== r.result).map((r) => r.id));
  return { problems, rows, dials, unprovable: rows.filter(unprovable).length };
}

describe.skipIf(pbxSkipReason())('faults on a real Asterisk', () => {
  let pbx: Pbx;
  let s: PbxService | undefined;
  let pollingId: number;
  beforeAll(async () => {
    pbx = await startPbx();
  });
  afterEach(async () => {
    await s?.stop();
    s = undefined;
  });
  afterAll(() => pbx?.destroy());

  it('SIGKILL mid-campaign and a restart: nothing dialed twice, nothing lost, another app\'s channels untouched', async () => {
    // Another application on the same PBX, with a channel whose id even looks like one of ours.
    const other = new WebSocket(`ws://127.0.0.1:${pbx.port}/ari/events?app=other-app&api_key=${pbx.username}:${pbx.password}`);
    await new Promise((r, j) => other.once('open', r).once('error', j));
    const foreign = await fetch(`${pbx.url}/ari/channels/create?endpoint=Local/echo@dialer-misc&app=other-app&channelId=${FOREIGN}`, { method: 'POST', headers: auth(pbx) });
    expect(foreign.status).toBe(200);
    try {
      s = await pbxService({}, pbx);
      pollingId = await s.polling();
      const numbers = numbersFor('7904', 40, '0136724581');
      await s.task({ innerNum: String(pollingId), innerNumType: 'polling', maxCountChannels: 8, maxAttempt: 2, tryInterval: 1, numbers });
      await until(async () => (await customerCallsUp(pbx)) >= 6, 30_000, 'six calls up');
      s.svc.child.kill('SIGKILL');
      await s.svc.exited;
      const upAtKill = await customerCallsUp(pbx);
      await s.restart();
      await until(async () => Number((await s!.api('GET', '/task?limit=10')).data.results[0].state) === 1, 150_000, 'campaign done');
      const v = await verify(s, numbers, 2, { afterCrash: true });
      expect(v.problems).toEqual([]);
      expect(upAtKill).toBeGreaterThan(0);
      console.log(`SIGKILL: ${upAtKill} calls up at the kill, ${v.dials.length} dials, ${v.rows.length} rows, ${v.unprovable} attempts of unknown outcome`);
      // the other app's channel is still there; none of ours is
      const left = (await (await fetch(`${pbx.url}/ari/channels`, { headers: auth(pbx) })).json()) as { id: string }[];
      expect(left.map((c) => c.id)).toContain(FOREIGN);
      await until(async () => (await customerCallsUp(pbx)) === 0, 10_000, 'no call of ours left up');
    } finally {
      other.close();
      await fetch(`${pbx.url}/ari/channels/${FOREIGN}`, { method: 'DELETE', headers: auth(pbx) });
    }
  });

  it('the PBX restarted, then stopped and started again, mid-campaign: numbers Asterisk never dialed go back to the queue, none closed for nothing', async () => {
    s = await pbxService({ DIALER_LOG_LEVEL: 'debug' }, pbx);
    pollingId = await s.polling();
    // 60 numbers on 12 channels: long rings and surveys, so 12 calls are up when Asterisk goes away
    const numbers = numbersFor('7905', 60, '01367');
    await s.task({ innerNum: String(pollingId), innerNumType: 'polling', maxCountChannels: 12, maxAttempt: 1, numbers });
    await until(async () => (await customerCallsUp(pbx)) >= 10, 30_000, 'ten calls up');
    const dialsBefore = pbx.dials().length;
    await pbx.cli('core restart now').catch(() => undefined); // the CLI connection drops as Asterisk goes
    await until(async () => (await customerCallsUp(pbx).catch(() => 0)) > 0 && pbx.dials().length > dialsBefore + 12, 60_000, 'dialing again after the restart');
    // then Asterisk is stopped for a while (connection refused) and started again
    await until(async () => (await customerCallsUp(pbx)) >= 10, 30_000, 'ten calls up again');
    const dialsBeforeStop = pbx.dials().length;
    await pbx.stop();
    await sleep(3000);
    await pbx.start();
    await until(async () => pbx.dials().length > dialsBeforeStop, 60_000, 'dialing again after the PBX came back');
    await until(async () => Number((await s!.api('GET', '/task?limit=10')).data.results[0].state) === 1, 150_000, 'campaign done');
    const v = await verify(s, numbers, 1);
    expect(v.problems).toEqual([]);
    expect(v.rows.filter((r) => r.result === 'FAIL_ROUTE' || r.state === 'failedOriginate')).toEqual([]);
    const putBack = readFileSync(join(s.dataDir, 'service.log'), 'utf8').split('\n').filter((l) => l.includes('number put back')).length;
    console.log(`PBX restart and stop/start: ${v.dials.length} dials, ${v.rows.length} rows, ${putBack} originates refused while Asterisk stopped or booted, put back`);
  });

  it('SIGTERM: no originate after the signal, calls in flight recorded, exit 0; the rest dialed after a restart', async () => {
    s = await pbxService({ DIALER_SHUTDOWN_DEADLINE_SECONDS: '3' }, pbx);
    pollingId = await s.polling();
    const numbers = numbersFor('7906', 30, '01367');
    await s.task({ innerNum: String(pollingId), innerNumType: 'polling', maxCountChannels: 6, maxAttempt: 1, numbers });
    await until(async () => (await customerCallsUp(pbx)) >= 5, 30_000, 'five calls up');
    const dialsAtSignal = pbx.dials().length;
    const t0 = Date.now();
    s.svc.child.kill('SIGTERM');
    const exit = await s.svc.exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(pbx.dials().length).toBe(dialsAtSignal);
    await until(async () => (await customerCallsUp(pbx)) === 0, 10_000, 'calls of ours hung up');
    // every call that was up is recorded; the numbers not yet dialed are still waiting
    const rows = s.rows();
    const dialed = new Set(pbx.dials().map((d) => d.linkedId));
    for (const r of rows) {
      if (dialed.has(r.callFile ?? '')) expect([r.phone, r.closeTime > 0]).toEqual([r.phone, true]);
      else expect([r.phone, r.state, r.result]).toEqual([r.phone, 'CreateTask', '']);
    }
    await s.restart();
    await until(async () => Number((await s!.api('GET', '/task?limit=10')).data.results[0].state) === 1, 120_000, 'campaign done');
    const v = await verify(s, numbers, 1);
    expect(v.problems).toEqual([]);
  });
});
