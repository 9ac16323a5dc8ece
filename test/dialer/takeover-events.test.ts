import { afterAll, describe, expect, it } from 'vitest';
import { CallEvents } from '../../src/events/call-events.js';
import type { LiveEvent } from '../../src/events/types.js';
import { RowState } from '../../src/domain/result-codes.js';
import { claimForTask, finishAttempt, markOriginateSentUnlessDnc, recordTrail } from '../../src/services/attempts/index.js';
import { registerNode } from '../../src/services/nodes/index.js';
import type { DialerCore } from '../../stasis/dialer/core.js';
import { NodeLease } from '../../stasis/dialer/node-lease.js';
import { freshEnv, testDialect } from '../helpers/env.js';
import { addTask, rowsOf } from './helpers.js';

const env = await freshEnv({ DIALER_NODE_ID: 'peer' });
afterAll(() => env.cleanup());

describe(`a peer's calls taken over end on the taking node's live events (${testDialect()})`, () => {
  it('call.ended with the result as recorded, or "" for a row put back', async () => {
    const { task } = await addTask(env.db, { innerNumType: 'polling', innerNum: '1', maxCountChannels: 3 }, ['79400000001', '79400000002', '79400000003']);
    // a node whose lease ran out long ago, with three calls in flight: one answered, one never sent, one with its result
    const past = Date.now() / 1000 - 1000;
    const dead = (await registerNode(env.db, 'dead', 'host-dead', past, 30)).owner;
    const { rows } = await claimForTask(env.db, {
      taskId: task.id, owner: dead, nowSec: Math.floor(past), now: past, leaseNow: past, want: 3, shared: false, inFlightHere: 0, usable: () => 'yes', channelTag: 'dead',
    });
    const [answered, unsent, recorded] = rows;
    await markOriginateSentUnlessDnc(env.db, answered!.id, past, dead);
    await recordTrail(env.db, answered!.id, { state: RowState.EVENT_POLLING, outDialState: 'ANSWER' }, past, dead);
    await markOriginateSentUnlessDnc(env.db, recorded!.id, past, dead);
    await finishAttempt(env.db, recorded!.id, 'SUCCESS_POLLING', { state: RowState.EVENT_POLLING_END, outDialState: 'ANSWER' }, { nowSec: past, retryAt: () => past, owner: dead });

    const seen: LiveEvent[] = [];
    const core = {
      config: env.config,
      db: env.db,
      log: env.log,
      calls: new CallEvents({ publish: (e) => seen.push(e) }),
      alive: () => true,
      nowSec: () => Date.now() / 1000,
      retryAt: (s: number) => Math.ceil(Date.now() / 1000 + s),
      kick: () => {},
    } as unknown as DialerCore;
    const lease = new NodeLease(core, () => {}, () => true);
    await lease.register();
    expect(await lease.takeOver()).toBe(3);

    const after = new Map((await rowsOf(env.db, task.id)).map((r) => [r.id, r]));
    const ended = new Map(seen.map((e) => [e.type === 'call.ended' ? e.rowId : 0, e]));
    expect(seen.every((e) => e.type === 'call.ended')).toBe(true);
    expect(ended.get(answered!.id)).toEqual({
      type: 'call.ended', taskId: task.id, rowId: answered!.id, phone: '79400000001', result: after.get(answered!.id)!.result, outDialState: 'ANSWER',
    });
    expect(after.get(answered!.id)!.result).toBe('FAIL_POLLING');
    expect(ended.get(unsent!.id)).toMatchObject({ rowId: unsent!.id, phone: '79400000002', result: '', outDialState: null });
    expect(ended.get(recorded!.id)).toMatchObject({ rowId: recorded!.id, result: 'SUCCESS_POLLING', outDialState: 'ANSWER' });
    // nothing left to take over, nothing published twice
    expect(await lease.takeOver()).toBe(0);
    expect(seen).toHaveLength(3);
  });
});
