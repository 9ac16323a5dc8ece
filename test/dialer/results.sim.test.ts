import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTask, rowsOf, taskOf, until } from './helpers.js';
import { simSuite } from './sim-harness.js';

let s: Awaited<ReturnType<typeof simSuite>>;
beforeAll(async () => {
  s = await simSuite();
});
afterAll(() => s.cleanup());

describe('result codes against the simulator (real ari-client)', () => {
  it('classifies every customer behaviour through the PBX route', async () => {
    await s.dialer();
    const { task } = addTask(s.db, { innerNum: '201', maxCountChannels: 4, dialPrefix: '0' }, [
      '79000000002', '79000000003', '79000000004', '79000000005', '79000000007', '79000000008',
    ]);
    await until(() => taskOf(s.db, task.id).state === 1, 15_000, 'task closed');
    const rows = rowsOf(s.db, task.id);
    expect(rows.map((r) => [r.phone, r.result, r.outDialState, r.hangupCause])).toEqual([
      ['79000000002', 'FAIL', 'BUSY', 17],
      ['79000000003', 'FAIL', 'NOANSWER', 19],
      ['79000000004', 'FAIL', 'CONGESTION', 34],
      ['79000000005', 'FAIL_CLIENT_H_BEFORE_ANSWER', 'ANSWER', 16],
      ['79000000007', 'SUCCESS_CLIENT_H', 'ANSWER', 16],
      ['79000000008', 'FAIL', 'NOANSWER', 1],
    ]);
  });
});
