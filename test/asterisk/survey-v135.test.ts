import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCrm, type FakeCrm } from '../fakes/crm.js';
import { startFakeRhvoice, type FakeRhvoice } from '../fakes/rhvoice.js';
import { FAKE_FOLDER, FAKE_STT_KEY, startFakeStt, type FakeStt } from '../fakes/stt.js';
import { sleep } from '../faults/harness/service.js';
import { pbxService, type PbxService } from './dialer-harness.js';
import { pbxSkipReason, startPbx, type Pbx } from './pbx.js';

/**
 * The v1.35 survey actions on a real Asterisk 22, with RHVoice, SpeechKit STT and the CRM as local fakes:
 * a caller who presses 3, speaks (the PBX plays its 5.3 s announcement into the call), keys 5#, hears the
 * read-back and confirms with 1, after which the CRM's answer is spoken. The caller is a dialplan the test adds:
 * the outbound route `77<number>` (the test world's own customers only press keys, they never speak).
 */
describe.skipIf(pbxSkipReason())('v1.35 survey actions on a real Asterisk', () => {
  let s: PbxService;
  let rhvoice: FakeRhvoice;
  let stt: FakeStt;
  let crm: FakeCrm;
  let recordings: string;
  let pbx: Pbx | undefined;
  beforeAll(async () => {
    [rhvoice, stt, crm] = await Promise.all([startFakeRhvoice(), startFakeStt(), startFakeCrm()]);
    stt.text = 'улица Ленина пять';
    crm.body = { result: true, data: '42' };
    pbx = await startPbx();
    recordings = join(pbx.dir, 'spool', 'recording');
    s = await pbxService(
      {
        TTS_ENGINE: 'rhvoice',
        RHVOICE_URL: rhvoice.url,
        YANDEX_API_KEY: FAKE_STT_KEY,
        YANDEX_FOLDER_ID: FAKE_FOLDER,
        YANDEX_STT_URL: stt.url,
        CRM_URL: crm.url,
        DIALER_RECORDINGS_DIR: recordings,
      },
      pbx,
    );
    const steps = [
      'Answer()', 'Wait(1)', 'SendDTMF(3)', 'Wait(2.5)', 'Playback(custom/dialer-announcement)', 'SendDTMF(5#)',
      'Wait(3)', 'SendDTMF(1)', 'Wait(10)', 'Hangup(16)',
    ];
    for (const [i, app] of steps.entries()) {
      const [name, args = ''] = app.replace(')', '').split('(');
      await pbx.cli(`dialplan add extension _77X.,${i + 1},${name},${args} into outgoing replace`);
    }
  });
  afterAll(async () => {
    await s?.stop();
    await pbx?.destroy(); // ours: pbxService leaves a PBX it was given running
    await Promise.all([rhvoice?.close(), stt?.close(), crm?.close()]);
  });

  it('records the spoken answer and its keys, recognises it, reads it back, asks the CRM and speaks its answer', async () => {
    const p = await s.api('POST', '/polling', {
      name: 'v1.35 on the PBX',
      questions: [
        {
          questionId: 'q1',
          questionText: 'Нажмите три, чтобы назвать адрес',
          timeout: 6,
          press: [{ key: '3', action: 'playback_record', value: 'Назовите адрес и нажмите решётку', valueOptions: '9', needRecognize: 1, recognizeLabel: 'адрес', nextQuestion: 'q2' }],
        },
        { questionId: 'q2', type: 'confirmation', questionText: 'Вы сказали', timeout: 10, press: [{ key: '1', action: 'send_crm', crmResponseTemplate: 'Ваш номер заявки <result>' }] },
      ],
    });
    expect(p.result).toBe(true);
    const pollingId = Number(p.data.id);
    const task = await s.task({ innerNum: String(pollingId), innerNumType: 'polling', dialPrefix: '77', numbers: ['79030000001'] });
    await s.waitClosed(task, 60_000);
    expect(s.rows(task).map((r) => [r.result, r.outDialState])).toEqual([['SUCCESS_POLLING', 'ANSWER']]);

    // recognition runs beside the call: its text lands on the row shortly after
    let rows: any[] = [];
    for (let i = 0; i < 40; i++) {
      rows = ((r) => r.results ?? r)((await s.api('GET', '/polling-results/0')).data).filter((r: any) => Number(r.taskId) === task);
      if (rows.some((r) => r.recognizedText)) break;
      await sleep(250);
    }
    if (!rows.some((r) => r.recognizedText)) {
      const log = (await import('node:fs')).readFileSync(join(s.dataDir, 'service.log'), 'utf8');
      console.log(stt.requests.length, log.split('\n').filter((l) => /"level":(40|50)|recogn|record/i.test(l)).join('\n'));
    }
    const q1 = rows.find((r) => r.questionCrmId === 'q1');
    const q2 = rows.find((r) => r.questionCrmId === 'q2');
    expect(q1).toMatchObject({ result: '5', recognizedText: 'улица Ленина пять', recognizeLabel: 'адрес' });
    // the recording is where Asterisk wrote it, with the announcement in it (about 5 s of 8 kHz 16-bit audio)
    expect(q1.exten.startsWith(recordings + '/')).toBe(true);
    expect(existsSync(q1.exten)).toBe(true);
    expect(statSync(q1.exten).size).toBeGreaterThan(8000 * 2 * 3);
    // STT got raw PCM (no wav header) of that recording, with the folder id
    expect(stt.requests).toHaveLength(1);
    expect(stt.requests[0]!.query).toMatchObject({ folderId: FAKE_FOLDER, format: 'lpcm', sampleRateHertz: '8000' });
    expect(stt.requests[0]!.body.subarray(0, 4).toString('latin1')).not.toBe('RIFF');
    expect(q2).toBeDefined();
    // the CRM got this call's answers, and its answer was voiced (RHVoice) into the template
    expect(crm.requests).toHaveLength(1);
    expect(crm.requests[0]!.json).toMatchObject({ phone: '79030000001', pollingId, results: expect.arrayContaining([expect.objectContaining({ questionId: 'q1', result: '5' })]) });
    const spoken = rhvoice.requests.map((r) => r.query.text);
    // (an all-digit answer is spelled digit by digit, as the original did)
    expect(spoken).toContain('Ваш номер заявки 4 2');
    // the read-back named the label and what was recognised
    expect(spoken.some((t) => t?.includes('адрес') && t.includes('улица Ленина пять'))).toBe(true);
  });
});
