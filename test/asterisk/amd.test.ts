import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pcmToWav } from '../../src/media/wav.js';
import { pbxService, type PbxService } from './dialer-harness.js';
import { pbxSkipReason } from './pbx.js';

/**
 * Answering-machine detection on a real Asterisk 22: the test world's ..9 answers with a 5.3 s greeting and a
 * beep; ..1 and ..6 are people who press keys about 1.7 s after answering, while the screening still listens.
 */
describe.skipIf(pbxSkipReason())('answering-machine detection on a real Asterisk', () => {
  let s: PbxService;
  let pollingId: number;
  beforeAll(async () => {
    s = await pbxService();
    pollingId = await s.polling();
  });
  afterAll(() => s?.stop());

  it('hangs up on the machine and lets people into the survey with the keys they pressed meanwhile', async () => {
    const t0 = Date.now();
    const task = await s.task({
      innerNum: String(pollingId),
      innerNumType: 'polling',
      maxCountChannels: 3,
      amd: 'hangup',
      numbers: ['79020000001', '79020000006', '79020000009'],
    });
    await s.waitClosed(task, 60_000);
    const rows = s.rows(task);
    const of = (p: string) => rows.filter((r) => r.phone === p).map((r) => [r.result, r.outDialState]);
    expect(of('79020000001')).toEqual([['SUCCESS_POLLING', 'ANSWER']]);
    expect(of('79020000006')).toEqual([['SUCCESS_POLLING', 'ANSWER']]);
    expect(of('79020000009')).toEqual([['FAIL', 'MACHINE']]);
    // hung up by us right after the verdict, long before the machine's own hang-up at 16.75 s
    expect(Date.now() - t0).toBeLessThan(14_000);
    // each number dialed once
    expect(s.pbx.dials().filter((d) => d.number.startsWith('7902')).map((d) => d.number).sort()).toEqual(['79020000001', '79020000006', '79020000009']);
  });

  it('leaves the task\'s message on the machine and records it delivered', async () => {
    const file = join(s.dataDir, 'amd-message.wav');
    writeFileSync(file, pcmToWav(Buffer.alloc(16_000 * 2))); // 2 s
    const task = await s.task({ innerNum: String(pollingId), innerNumType: 'polling', amd: 'message', amdMessageFile: file, numbers: ['79020000019'] });
    await s.waitClosed(task, 60_000);
    expect(s.rows(task).map((r) => [r.result, r.outDialState])).toEqual([['SUCCESS_MACHINE_MESSAGE', 'MACHINE']]);
  });
});
