import { afterAll, describe, expect, it } from 'vitest';
import type { tasks, taskResults } from '../../src/db/schema.js';
import { RowState } from '../../src/domain/result-codes.js';
import {
  claimAttempt,
  markOriginateSentUnlessDnc,
  claimedOpenAttempts,
  closeTaskIfDone,
  finishAttempt,
  getAttempt,
  recordTrail,
  releaseAttempt,
} from '../../src/services/attempts/index.js';
import { freshEnv } from '../helpers/env.js';

const env = await freshEnv();
afterAll(() => env.cleanup());
const { db } = env;

async function insert<T>(table: string, values: Record<string, unknown>): Promise<T> {
  const cols = Object.keys(values);
  const sql = `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) RETURNING *`;
  return (await db.get<T>(sql, Object.values(values)))!;
}
const task = (values: Partial<typeof tasks.$inferInsert> = {}) =>
  insert<typeof tasks.$inferSelect>('tasks', { name: 't', innerNum: '201', ...values });
const row = (taskId: number, phone: string, values: Partial<typeof taskResults.$inferInsert> = {}) =>
  insert<typeof taskResults.$inferSelect>('task_results', { taskId, phone, phoneId: phone.slice(-10), changeTime: 0, ...values });
/** Rows of a task ready to be dialed at nowSec (what the scheduler may claim). */
const ready = (taskId: number, nowSec: number) =>
  db.all('SELECT id FROM task_results WHERE taskId = ? AND closeTime = 0 AND state = ? AND timeCallAllow <= ?', [taskId, RowState.CREATE_TASK, nowSec]);
const opts = (nowSec = 1000) => ({ nowSec, retryAt: (s: number) => nowSec + s });

describe('attempt storage', () => {
  it('claims a row once, writing the channel id before the originate', async () => {
    const t = await task();
    const r = await row(t.id, '79000000001');
    expect(await claimAttempt(db, r.id, 'dlr-x', 10)).toBe(true);
    expect(await claimAttempt(db, r.id, 'dlr-y', 11)).toBe(false);
    // claimed, not yet sent: a crash now leaves it provably unsent
    expect(await getAttempt(db, r.id)).toMatchObject({ state: 'CreateCallFile', callFile: 'dlr-x', originatedAt: null });
    expect(await markOriginateSentUnlessDnc(db, r.id, 12)).toBe('sent');
    expect(await markOriginateSentUnlessDnc(db, r.id, 13)).toBe('refused');
    expect(await getAttempt(db, r.id)).toMatchObject({ state: 'CreateCallFile', callFile: 'dlr-x', originatedAt: 12 });
    expect(await ready(t.id, 100)).toHaveLength(0);
    expect((await claimedOpenAttempts(db)).map((x) => x.id)).toContain(r.id);
  });

  it('does not mark a claimed row sent once its task is paused', async () => {
    const t = await task();
    const r = await row(t.id, '79000000009');
    expect(await claimAttempt(db, r.id, 'dlr-p', 10)).toBe(true);
    await db.run('UPDATE tasks SET state = 2 WHERE id = ?', [t.id]);
    expect(await markOriginateSentUnlessDnc(db, r.id, 12)).toBe('refused');
    expect(await releaseAttempt(db, r.id, 13)).toBe(true);
    expect(await getAttempt(db, r.id)).toMatchObject({ state: 'CreateTask', callFile: null, originatedAt: null });
  });

  it('puts a row whose originate never left back, as if never tried', async () => {
    const t = await task();
    const r = await row(t.id, '79000000002');
    await claimAttempt(db, r.id, 'dlr-z', 10);
    expect(await releaseAttempt(db, r.id, 11)).toBe(true);
    expect(await getAttempt(db, r.id)).toMatchObject({ state: 'CreateTask', callFile: null, originatedAt: null, attemptNumber: 1 });
  });

  it('retries a FAIL after tryInterval while attempts remain, copying the number', async () => {
    const t = await task({ maxAttempt: 2, tryInterval: 30 });
    const r = await row(t.id, '79000000003', { clientId: 'c1', params: '{"name":"Ann"}', timeOffsetMinutes: 180 });
    await claimAttempt(db, r.id, 'a', 10);
    const out = await finishAttempt(db, r.id, 'FAIL', { state: 'endCall', outDialState: 'BUSY', hangupCause: 17 }, opts());
    expect(out.retryRowId).toBeDefined();
    expect(await getAttempt(db, out.retryRowId!)).toMatchObject({
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
    await claimAttempt(db, out.retryRowId!, 'b', 20);
    expect((await finishAttempt(db, out.retryRowId!, 'FAIL', { state: 'endCall' }, opts())).retryRowId).toBeUndefined();
  });

  it('does not retry a number that does not exist', async () => {
    const t = await task({ maxAttempt: 3 });
    const r = await row(t.id, '79000000008');
    await claimAttempt(db, r.id, 'a', 10);
    expect((await finishAttempt(db, r.id, 'FAIL', { state: 'endCall', hangupCause: 1 }, { ...opts(), noRetry: true })).retryRowId).toBeUndefined();
  });

  it('retries even a success when attemptUntilSignal is set', async () => {
    const t = await task({ maxAttempt: 2, attemptUntilSignal: 1 });
    const r = await row(t.id, '79000000010');
    await claimAttempt(db, r.id, 'a', 10);
    expect((await finishAttempt(db, r.id, 'SUCCESS_CLIENT_H', { state: 'endCall' }, opts())).retryRowId).toBeDefined();
  });

  it("closes a client's other waiting numbers when one succeeds", async () => {
    const t = await task();
    const a = await row(t.id, '79000000011', { clientId: 'cli' });
    const b = await row(t.id, '79000000012', { clientId: 'cli' });
    const other = await row(t.id, '79000000013', { clientId: 'other' });
    await claimAttempt(db, a.id, 'a', 10);
    expect((await finishAttempt(db, a.id, 'SUCCESS_USER_H', { state: 'endCall' }, opts())).siblingsClosed).toBe(1);
    expect(await getAttempt(db, b.id)).toMatchObject({ result: 'SUCCESS_ANOTHER_PHONE', state: 'SUCCESS_ANOTHER_PHONE' });
    expect((await getAttempt(db, other.id))!.result).toBe('');
  });

  it('never changes a closed row', async () => {
    const t = await task();
    const r = await row(t.id, '79000000014');
    await claimAttempt(db, r.id, 'a', 10);
    await finishAttempt(db, r.id, 'FAIL', { state: 'endCall', outDialState: 'BUSY' }, opts());
    expect((await finishAttempt(db, r.id, 'SUCCESS', { state: 'endCall' }, opts())).closed).toBe(false);
    expect(await recordTrail(db, r.id, { state: 'startDial' }, 2000)).toBe(false);
    expect(await getAttempt(db, r.id)).toMatchObject({ result: 'FAIL', state: 'endCall', outDialState: 'BUSY' });
  });

  it('closes an open task without open numbers, but never a paused one', async () => {
    const open = await task();
    const paused = await task({ state: 2 });
    const busy = await task();
    await row(busy.id, '79000000015');
    expect(await closeTaskIfDone(db, open.id, 5)).toBe(true);
    expect(await closeTaskIfDone(db, paused.id, 5)).toBe(false);
    expect(await closeTaskIfDone(db, busy.id, 5)).toBe(false);
    expect(await db.value('SELECT state FROM tasks WHERE id = ?', [open.id])).toBe(1);
  });
});
