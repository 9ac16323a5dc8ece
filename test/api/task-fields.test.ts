import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testApi } from './helpers.js';

/** The answering-machine fields of a task (amd, amdMessage, amdMessageFile) on POST/PUT/GET /task. */

describe('answering-machine fields on the task API', () => {
  const t = testApi();
  const get = async (id: string) => (await t.call('GET', `/task/${id}`)).json.data;

  it('are off and empty on a new task, as strings after the original fields', async () => {
    const r = await t.call('POST', '/task', { innerNum: '201' });
    expect(await get(r.json.data.id)).toMatchObject({ amd: '', amdMessage: '', amdMessageFile: '', retryRules: '' });
  });

  it('round-trip through POST, PUT, GET /task/{id} and GET /task', async () => {
    const file = join(t.dir, 'leave-a-message.wav');
    writeFileSync(file, 'RIFF');
    const r = await t.call('POST', '/task', { crmId: 'amd-1', innerNum: '201', amd: 'message', amdMessage: 'Перезвоните нам', amdMessageFile: `  ${file}  ` });
    expect(r.json).toMatchObject({ result: true, messages: [] });
    const id = r.json.data.id;
    expect(await get(id)).toMatchObject({ amd: 'message', amdMessage: 'Перезвоните нам', amdMessageFile: file });
    await t.call('PUT', `/task/${id}`, { amd: 'hangup' });
    const listed = (await t.call('GET', '/task')).json.data.results.find((x: { id: string }) => x.id === id);
    // the message is kept while unused, so the mode can be switched back
    expect(listed).toMatchObject({ amd: 'hangup', amdMessage: 'Перезвоните нам', amdMessageFile: file });
    await t.call('PUT', `/task/${id}`, { amd: '' });
    expect(await get(id)).toMatchObject({ amd: '' });
    // null keeps the stored value, as every task field
    await t.call('PUT', `/task/${id}`, { amd: null, amdMessage: null });
    expect(await get(id)).toMatchObject({ amd: '', amdMessage: 'Перезвоните нам' });
  });

  it('refuses another amd value naming the field, and changes nothing', async () => {
    const made = await t.call('POST', '/task', { innerNum: '201', amd: 'hangup' });
    for (const amd of ['detect', 1, true]) {
      const post = await t.call('POST', '/task', { crmId: 'amd-bad', innerNum: '201', amd });
      expect(post.json).toMatchObject({ result: false, messages: ['Field "amd" must be "" (off), "hangup" or "message"'] });
      const put = await t.call('PUT', `/task/${made.json.data.id}`, { amd });
      expect(put.json).toMatchObject({ result: false, messages: ['Field "amd" must be "" (off), "hangup" or "message"'] });
    }
    expect((await t.call('GET', '/task')).json.data.results.some((x: { crmId: string }) => x.crmId === 'amd-bad')).toBe(false);
    expect(await get(made.json.data.id)).toMatchObject({ amd: 'hangup' });
  });

  it('refuses amd "message" with nothing to play, also when a PUT clears the message, and changes nothing', async () => {
    const need = 'Field "amd": with amd "message", amdMessage (text to speak) or amdMessageFile (an uploaded audio file) must be set';
    const bare = await t.call('POST', '/task', { crmId: 'amd-bare', innerNum: '201', amd: 'message', amdMessage: '   ' });
    expect(bare.json).toMatchObject({ result: false, messages: [need] });
    expect((await t.call('GET', '/task')).json.data.results.some((x: { crmId: string }) => x.crmId === 'amd-bare')).toBe(false);

    // the message set first, the mode switched on later: the stored message counts
    const r = await t.call('POST', '/task', { innerNum: '201', amdMessage: 'Hello' });
    const id = r.json.data.id;
    expect((await t.call('PUT', `/task/${id}`, { amd: 'message' })).json.result).toBe(true);
    const cleared = await t.call('PUT', `/task/${id}`, { amdMessage: '', name: 'renamed' });
    expect(cleared.json).toMatchObject({ result: false, messages: [need] });
    expect(await get(id)).toMatchObject({ amd: 'message', amdMessage: 'Hello', name: '' });
    // a PUT that only pauses is never refused for these fields
    expect((await t.call('PUT', `/task/${id}`, { state: 2 })).json.result).toBe(true);
  });

  it('saves an amdMessageFile that is not on this server with a warning (it may be on another node)', async () => {
    const r = await t.call('POST', '/task', { innerNum: '201', amd: 'message', amdMessageFile: '/nowhere/greeting.mp3' });
    expect(r.json).toMatchObject({ result: true, messages: ['amdMessageFile "/nowhere/greeting.mp3" does not exist on this server'] });
    expect(await get(r.json.data.id)).toMatchObject({ amd: 'message', amdMessageFile: '/nowhere/greeting.mp3' });
  });

  it('refuses text fields that are too long or not text, naming them', async () => {
    const long = await t.call('POST', '/task', { innerNum: '201', amdMessage: 'x'.repeat(1001) });
    expect(long.json).toMatchObject({ result: false, messages: ['Field "amdMessage" must be at most 1000 characters'] });
    const obj = await t.call('POST', '/task', { innerNum: '201', amdMessageFile: { path: '/a' } });
    expect(obj.json).toMatchObject({ result: false, messages: ['Field "amdMessageFile" must be a string or a number'] });
  });

  it('leave the POST/PUT answer of a v1 client as it was: the original fields only', async () => {
    const r = await t.call('POST', '/task', { innerNum: '201', maxCountChannels: 2 });
    expect(Object.keys(r.json.data)).toEqual([
      'id', 'crmId', 'name', 'innerNum', 'innerNumType', 'maxCountChannels', 'state', 'dialPrefix', 'maxAttempt',
      'attemptUntilSignal', 'timeStart', 'timeEnd', 'tryInterval', 'isCallback',
    ]);
    const p = await t.call('PUT', `/task/${r.json.data.id}`, { amd: 'hangup' });
    expect(p.json.data).not.toHaveProperty('amd');
  });
});
