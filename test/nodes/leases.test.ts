import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../src/db/client.js';
import { RowState } from '../../src/domain/result-codes.js';
import { claimForTask, endCall, finishAttempt, markOriginateSentUnlessDnc, recordTrail, releaseAttempt, type ClaimRequest } from '../../src/services/attempts/index.js';
import { endLease, orphanedAttempts, regainLease, registerNode, renewLease } from '../../src/services/nodes/index.js';
import { freshEnv, testDialect } from '../helpers/env.js';
import { addTask, rowsOf } from '../dialer/helpers.js';

/**
 * Several dialer nodes on one database, at the storage level. On PostgreSQL each "node" here has its own
 * connection pool, as separate processes would. On SQLite (one PBX, one process) they share the connection:
 * the claims, fences and take-overs are the same SQL either way.
 */
const env = await freshEnv();
let a: Db;
let b: Db;
const LEASE = 30;
const T0 = 1_800_000_000;

beforeAll(async () => {
  const shared = testDialect() === 'sqlite';
  a = shared ? env.db : await openDb(env.config.databaseUrl);
  b = shared ? env.db : await openDb(env.config.databaseUrl);
});
afterAll(async () => {
  if (a !== env.db) await a.close();
  if (b !== env.db) await b.close();
  await env.cleanup();
});

const numbers = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `7900${String(from + i).padStart(7, '0')}`);

function request(taskId: number, owner: ClaimRequest['owner'], want: number, now = T0, shared = false): ClaimRequest {
  return {
    taskId,
    owner,
    nowSec: Math.floor(now),
    now,
    leaseNow: now,
    want,
    shared,
    inFlightHere: 0,
    usable: () => 'yes',
    channelTag: owner.node,
  };
}

describe(`dialer nodes sharing one database (${testDialect()})`, () => {
  it('a task\'s maxCountChannels holds across nodes claiming at the same moment, and no row is claimed twice', async () => {
    const { task } = await addTask(env.db, { innerNumType: 'polling', maxCountChannels: 7 }, numbers(200));
    const na = (await registerNode(a, 'na', 'host-a', T0, LEASE)).owner;
    const nb = (await registerNode(b, 'nb', 'host-b', T0, LEASE)).owner;
    // each node wants far more than the task allows, many times over, concurrently
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => claimForTask(i % 2 ? b : a, request(task.id, i % 2 ? nb : na, 5))),
    );
    const claimed = claims.flatMap((c) => c.rows.map((r) => r.id));
    expect(new Set(claimed).size).toBe(claimed.length);
    expect(claimed.length).toBe(7);
    const inFlight = (await rowsOf(env.db, task.id)).filter((r) => r.state === RowState.CREATE_CALL_FILE);
    expect(inFlight.length).toBe(7);
    // each row is owned by the node that claimed it (which node wins how many is a race: not asserted)
    const claimer = new Map(claims.flatMap((c, i) => c.rows.map((r) => [r.id, i % 2 ? 'nb' : 'na'] as const)));
    for (const r of inFlight) expect(r.node).toBe(claimer.get(r.id));
  });

  it('a call whose row already has its result still counts on every node until its channels are gone', async () => {
    const { task } = await addTask(env.db, { innerNumType: 'polling', maxCountChannels: 2 }, numbers(10, 500));
    const na = (await registerNode(a, 'ne', 'host-a', T0, LEASE)).owner;
    const nb = (await registerNode(b, 'nf', 'host-b', T0, LEASE)).owner;
    const { rows } = await claimForTask(a, request(task.id, na, 2));
    expect(rows.length).toBe(2);
    // a survey ended and its result is recorded, but the customer is still being hung up (or talks to an agent)
    expect(await markOriginateSentUnlessDnc(a, rows[0]!.id, T0, na)).toBe('sent');
    await finishAttempt(a, rows[0]!.id, 'SUCCESS_POLLING', { state: RowState.EVENT_POLLING_END }, { nowSec: T0, retryAt: () => T0, owner: na });
    expect((await claimForTask(b, request(task.id, nb, 2))).rows).toEqual([]);
    expect(await endCall(a, rows[0]!.id, na)).toBe(true);
    expect((await claimForTask(b, request(task.id, nb, 2))).rows.length).toBe(1);
  });

  it('a survey task is shared among the nodes dialing: each takes its part of maxCountChannels, a node not dialing leaves its part to the others', async () => {
    const { task } = await addTask(env.db, { innerNumType: 'polling', maxCountChannels: 5 }, numbers(20, 700));
    const na = (await registerNode(a, 'ng', 'host-a', T0, LEASE)).owner;
    const nb = (await registerNode(b, 'nh', 'host-b', T0, LEASE)).owner;
    await renewLease(a, na, T0, LEASE, true);
    await renewLease(b, nb, T0, LEASE, true);
    expect((await claimForTask(a, request(task.id, na, 5, T0, true))).rows.length).toBe(3); // ceil(5 / 2)
    expect((await claimForTask(b, request(task.id, nb, 5, T0, true))).rows.length).toBe(2);
    // node a's PBX goes away: it stops dialing; its calls end; b may now take the whole task
    await renewLease(a, na, T0 + 1, LEASE, false);
    for (const r of (await rowsOf(env.db, task.id)).filter((x) => x.node === 'ng' && x.inCall)) await endCall(a, r.id, na);
    expect((await claimForTask(b, request(task.id, nb, 5, T0 + 1, true))).rows.length).toBe(3);
    await endLease(a, na);
    await endLease(b, nb);
  });

  it('a client with a call in flight on another node is passed over for another client\'s number', async () => {
    const { task } = await addTask(env.db, { innerNumType: 'polling', maxCountChannels: 10 }, [
      { phone: '79001110001', clientId: 'c1' },
      { phone: '79001110002', clientId: 'c1' },
      { phone: '79001110003', clientId: 'c2' },
    ]);
    const na = (await registerNode(a, 'nc', 'host-a', T0, LEASE)).owner;
    const nb = (await registerNode(b, 'nd', 'host-b', T0, LEASE)).owner;
    const first = await claimForTask(a, request(task.id, na, 1));
    expect(first.rows.map((r) => r.phone)).toEqual(['79001110001']);
    const second = await claimForTask(b, request(task.id, nb, 5));
    expect(second.rows.map((r) => r.phone)).toEqual(['79001110003']);
  });

  it('a node whose lease ran out is taken over: never-sent rows are dialable again, sent rows are closed, and its late writes change nothing', async () => {
    const { task } = await addTask(env.db, { innerNumType: 'polling', maxCountChannels: 4 }, numbers(6, 1000));
    const dead = (await registerNode(a, 'dead', 'host-a', T0, LEASE)).owner;
    const peer = (await registerNode(b, 'peer', 'host-b', T0, LEASE)).owner;
    const { rows } = await claimForTask(a, request(task.id, dead, 3));
    expect(rows.length).toBe(3);
    expect(await markOriginateSentUnlessDnc(a, rows[0]!.id, T0, dead)).toBe('sent');
    await recordTrail(a, rows[0]!.id, { state: RowState.AFTER_DIAL_OUT, outDialState: 'ANSWER' }, T0, dead);
    expect(await markOriginateSentUnlessDnc(a, rows[1]!.id, T0, dead)).toBe('sent');

    // while the lease is live nothing is an orphan
    expect((await orphanedAttempts(b, T0 + LEASE - 1)).filter((r) => r.taskId === task.id)).toEqual([]);
    // the peer keeps renewing; the dead node does not
    const later = T0 + LEASE + 1;
    await renewLease(b, peer, T0 + 5, LEASE);
    const orphans = (await orphanedAttempts(b, later)).filter((r) => r.taskId === task.id);
    expect(orphans.map((r) => r.id).sort()).toEqual(rows.map((r) => r.id).sort());

    for (const o of orphans) {
      const owner = { node: o.node!, epoch: o.epoch! };
      if (o.originatedAt === null) expect(await releaseAttempt(b, o.id, later, owner, true)).toBe(true);
      else {
        expect((await finishAttempt(b, o.id, 'FAIL', { state: RowState.END_CALL, cause: 'node dead lost' }, { nowSec: later, retryAt: () => later, owner })).closed).toBe(true);
        expect(await endCall(b, o.id, owner)).toBe(true);
      }
    }
    expect((await orphanedAttempts(b, later)).filter((r) => r.taskId === task.id)).toEqual([]);
    const after = await rowsOf(env.db, task.id);
    const byId = new Map(after.map((r) => [r.id, r]));
    expect(byId.get(rows[0]!.id)!.closeTime).toBeGreaterThan(0); // sent: closed, never dialed again
    expect(byId.get(rows[1]!.id)!.closeTime).toBeGreaterThan(0);
    expect(byId.get(rows[2]!.id)!.state).toBe(RowState.CREATE_TASK); // never sent: ready again
    expect(byId.get(rows[2]!.id)!.node).toBeNull();
    expect(after.filter((r) => r.inCall === 1)).toEqual([]);

    // the dead node wakes up late: its lease cannot be renewed, and its writes change nothing
    expect(await renewLease(a, dead, later, LEASE)).toBe(false);
    expect(await markOriginateSentUnlessDnc(a, rows[2]!.id, later, dead)).toBe('refused');
    expect(await recordTrail(a, rows[0]!.id, { state: RowState.START_DIAL }, later, dead)).toBe(false);
    expect((await finishAttempt(a, rows[1]!.id, 'SUCCESS', { state: RowState.END_CALL }, { nowSec: later, retryAt: () => later, owner: dead })).closed).toBe(false);
    expect(await endCall(a, rows[0]!.id, dead)).toBe(false);
    expect((await claimForTask(a, request(task.id, dead, 3, later))).leaseLive).toBe(false);
    expect((await rowsOf(env.db, task.id)).find((r) => r.id === rows[1]!.id)!.result).toBe('FAIL');

    // a peer that claimed the released row owns it now; the dead node's fence does not match
    const again = await claimForTask(b, request(task.id, { ...peer }, 4, T0 + 6));
    expect(again.rows.map((r) => r.id)).toContain(rows[2]!.id);
    expect(await markOriginateSentUnlessDnc(a, rows[2]!.id, later, dead)).toBe('refused');
    expect(await markOriginateSentUnlessDnc(b, rows[2]!.id, T0 + 6, peer)).toBe('sent');
  });

  it('a running node whose lease ran out takes it back under the same epoch: its calls go on, what a peer took stays the peer\'s', async () => {
    const { task } = await addTask(env.db, { innerNumType: 'polling', maxCountChannels: 4 }, numbers(3, 3000));
    const slow = (await registerNode(a, 'slow', 'host-a', T0, LEASE)).owner;
    const peer = (await registerNode(b, 'quick', 'host-b', T0, LEASE)).owner;
    const { rows } = await claimForTask(a, request(task.id, slow, 2));
    await markOriginateSentUnlessDnc(a, rows[0]!.id, T0, slow);
    const later = T0 + LEASE + 1;
    await renewLease(b, peer, T0 + 5, LEASE); // the peer's lease stays live
    // the peer took the never-sent row back to the queue; the sent one it has not reached yet
    expect(await releaseAttempt(b, rows[1]!.id, later, slow, true)).toBe(true);
    expect(await renewLease(a, slow, later, LEASE)).toBe(false);
    expect(await regainLease(a, slow, later, LEASE)).toBe(true);
    // the call still running on the slow node records its result under the same epoch
    expect((await finishAttempt(a, rows[0]!.id, 'SUCCESS_POLLING', { state: RowState.EVENT_POLLING_END }, { nowSec: later, retryAt: () => later, owner: slow })).closed).toBe(true);
    // its late originate of the row the peer gave back matches nothing; the number is dialable by anyone again
    expect(await markOriginateSentUnlessDnc(a, rows[1]!.id, later, slow)).toBe('refused');
    expect((await claimForTask(b, request(task.id, peer, 4, later))).rows.map((r) => r.id)).toContain(rows[1]!.id);
    // another process registering with the same id moves the epoch on: the old one cannot take the lease back
    await registerNode(b, 'slow', 'host-c', later, LEASE);
    expect(await regainLease(a, slow, later + 1, LEASE)).toBe(false);
  });

  it('a node that restarts takes its own rows in flight back under its new epoch, and peers do not see them as orphans', async () => {
    const { task } = await addTask(env.db, { innerNumType: 'polling', maxCountChannels: 2 }, numbers(2, 2000));
    const first = (await registerNode(a, 'again', 'host-a', T0, LEASE)).owner;
    const { rows } = await claimForTask(a, request(task.id, first, 2));
    await markOriginateSentUnlessDnc(a, rows[0]!.id, T0, first);
    const second = await registerNode(a, 'again', 'host-a', T0 + 3, LEASE);
    expect(second.owner.epoch).toBe(first.epoch + 1);
    expect(second.previousLeaseLive).toBe(true);
    expect(second.adopted).toBe(2);
    expect((await orphanedAttempts(b, T0 + 4)).filter((r) => r.taskId === task.id)).toEqual([]);
    // the old epoch's writes are fenced, the new one's go through
    expect(await recordTrail(a, rows[0]!.id, { state: RowState.START_DIAL }, T0 + 4, first)).toBe(false);
    expect(await recordTrail(a, rows[0]!.id, { state: RowState.START_DIAL }, T0 + 4, second.owner)).toBe(true);
  });
});
