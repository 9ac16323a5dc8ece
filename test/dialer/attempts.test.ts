import { afterAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { tasks, taskResults } from '../../src/db/schema.js';
import {
  claimAttempt,
  markOriginateSent,
  claimedOpenAttempts,
  closeTaskIfDone,
  finishAttempt,
  getAttempt,
  readyAttempts,
  recordTrail,
  releaseAttempt,
} from '../../src/services/attempts/index.js';
import { freshEnv } from '../helpers/env.js';

const env = freshEnv();
afterAll(() => env.cleanup());
const { db } = env;

function task(values: Partial<typeof tasks.$inferInsert> = {}) {
  return db.insert(tasks).values({ name: 't', innerNum: '201', ...values }).returning().get();
}
function row(taskId: number, phone: string, values: Partial<typeof taskResults.$inferInsert> = {}) {
  return db
    .insert(taskResults)
    .values({ taskId, phone, phoneId: phone.slice(-10), changeTime: 0, ...values })
    .returning()
    .get();
}
const opts = (nowSec = 1000) => ({ nowSec, retryAt: (s: number) => nowSec + s });

describe('attempt storage', () => {
  it('claims a row once, writing the channel id before the originate', () => {
    const t = task();
    const r = row(t.id, '79000000001');
    expect(claimAttempt(db, r.id, 'dlr-x', 10)).toBe(true);
    expect(claimAttempt(db, r.id, 'dlr-y', 11)).toBe(false);
    // claimed, not yet sent: a crash now leaves it provably unsent
    expect(getAttempt(db, r.id)).toMatchObject({ state: 'CreateCallFile', callFile: 'dlr-x', originatedAt: null });
    expect(markOriginateSent(db, r.id, 12)).toBe(true);
    expect(markOriginateSent(db, r.id, 13)).toBe(false);
    expect(getAttempt(db, r.id)).toMatchObject({ state: 'CreateCallFile', callFile: 'dlr-x', originatedAt: 12 });
    expect([...readyAttempts(db, t.id, 100)]).toHaveLength(0);
    expect(claimedOpenAttempts(db).map((x) => x.id)).toContain(r.id);
  });

  it('does not mark a claimed row sent once its task is paused', () => {
    const t = task();
    const r = row(t.id, '79000000009');
    expect(claimAttempt(db, r.id, 'dlr-p', 10)).toBe(true);
    db.update(tasks).set({ state: 2 }).where(eq(tasks.id, t.id)).run();
    expect(markOriginateSent(db, r.id, 12)).toBe(false);
    expect(releaseAttempt(db, r.id, 13)).toBe(true);
    expect(getAttempt(db, r.id)).toMatchObject({ state: 'CreateTask', callFile: null, originatedAt: null });
  });

  it('puts a row whose originate never left back, as if never tried', () => {
    const t = task();
    const r = row(t.id, '79000000002');
    claimAttempt(db, r.id, 'dlr-z', 10);
    expect(releaseAttempt(db, r.id, 11)).toBe(true);
    expect(getAttempt(db, r.id)).toMatchObject({ state: 'CreateTask', callFile: null, originatedAt: null, attemptNumber: 1 });
  });

  it('retries a FAIL after tryInterval while attempts remain, copying the number', () => {
    const t = task({ maxAttempt: 2, tryInterval: 30 });
    const r = row(t.id, '79000000003', { clientId: 'c1', params: '{"name":"Ann"}', timeOffsetMinutes: 180 });
    claimAttempt(db, r.id, 'a', 10);
    const out = finishAttempt(db, r.id, 'FAIL', { state: 'endCall', outDialState: 'BUSY', hangupCause: 17 }, opts());
    expect(out.retryRowId).toBeDefined();
    expect(getAttempt(db, out.retryRowId!)).toMatchObject({
      phone: '79000000003',
      clientId: 'c1',
      params: '{"name":"Ann"}',
      timeOffsetMinutes: 180,
      attemptNumber: 2,
      timeCallAllow: 1030,
      state: 'CreateTask',
      closeTime: 0,
    });
    // the last attempt is not retried
    claimAttempt(db, out.retryRowId!, 'b', 20);
    expect(finishAttempt(db, out.retryRowId!, 'FAIL', { state: 'endCall' }, opts()).retryRowId).toBeUndefined();
  });

  it('does not retry a number that does not exist', () => {
    const t = task({ maxAttempt: 3 });
    const r = row(t.id, '79000000008');
    claimAttempt(db, r.id, 'a', 10);
    expect(finishAttempt(db, r.id, 'FAIL', { state: 'endCall', hangupCause: 1 }, { ...opts(), noRetry: true }).retryRowId).toBeUndefined();
  });

  it('retries even a success when attemptUntilSignal is set', () => {
    const t = task({ maxAttempt: 2, attemptUntilSignal: 1 });
    const r = row(t.id, '79000000010');
    claimAttempt(db, r.id, 'a', 10);
    expect(finishAttempt(db, r.id, 'SUCCESS_CLIENT_H', { state: 'endCall' }, opts()).retryRowId).toBeDefined();
  });

  it("closes a client's other waiting numbers when one succeeds", () => {
    const t = task();
    const a = row(t.id, '79000000011', { clientId: 'cli' });
    const b = row(t.id, '79000000012', { clientId: 'cli' });
    const other = row(t.id, '79000000013', { clientId: 'other' });
    claimAttempt(db, a.id, 'a', 10);
    expect(finishAttempt(db, a.id, 'SUCCESS_USER_H', { state: 'endCall' }, opts()).siblingsClosed).toBe(1);
    expect(getAttempt(db, b.id)).toMatchObject({ result: 'SUCCESS_ANOTHER_PHONE', state: 'SUCCESS_ANOTHER_PHONE' });
    expect(getAttempt(db, other.id)!.result).toBe('');
  });

  it('never changes a closed row', () => {
    const t = task();
    const r = row(t.id, '79000000014');
    claimAttempt(db, r.id, 'a', 10);
    finishAttempt(db, r.id, 'FAIL', { state: 'endCall', outDialState: 'BUSY' }, opts());
    expect(finishAttempt(db, r.id, 'SUCCESS', { state: 'endCall' }, opts()).closed).toBe(false);
    expect(recordTrail(db, r.id, { state: 'startDial' }, 2000)).toBe(false);
    expect(getAttempt(db, r.id)).toMatchObject({ result: 'FAIL', state: 'endCall', outDialState: 'BUSY' });
  });

  it('closes an open task without open numbers, but never a paused one', () => {
    const open = task();
    const paused = task({ state: 2 });
    const busy = task();
    row(busy.id, '79000000015');
    expect(closeTaskIfDone(db, open.id, 5)).toBe(true);
    expect(closeTaskIfDone(db, paused.id, 5)).toBe(false);
    expect(closeTaskIfDone(db, busy.id, 5)).toBe(false);
    expect(db.select().from(tasks).where(eq(tasks.id, open.id)).get()!.state).toBe(1);
  });
});
