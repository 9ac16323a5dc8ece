import { describe, expect, it } from 'vitest';
import { testApi } from './helpers.js';

describe('/inbound (inbound poll numbers, ours)', () => {
  const t = testApi();

  it('PUT sets a number, GET lists and reads it; values are strings like the v1 rows', async () => {
    const ok = await t.call('POST', '/polling', { crmId: 'ok', questions: [{ questionText: 'q' }] });
    const failP = await t.call('POST', '/polling', { crmId: 'fail', questions: [{ questionText: 'q' }] });
    const r = await t.call('PUT', '/inbound/700', { name: 'Debts line', okPollingId: ok.json.data.id, failPollingId: String(failP.json.data.id) });
    expect(r.json).toMatchObject({ result: true, messages: [] });
    expect(r.json.data).toEqual({ id: expect.any(String), exten: '700', name: 'Debts line', okPollingId: String(ok.json.data.id), failPollingId: String(failP.json.data.id) });
    expect((await t.call('GET', '/inbound/700')).json.data).toEqual(r.json.data);
    expect((await t.call('GET', '/inbound')).json.data.results).toEqual([r.json.data]);
  });

  it('PUT replaces the whole setting; 0, "" and null mean no polling; an unknown polling id is a warning', async () => {
    const r = await t.call('PUT', '/inbound/700', { okPollingId: 999, failPollingId: '' });
    expect(r.json.result).toBe(true);
    expect(r.json.data).toMatchObject({ exten: '700', name: '', okPollingId: '999', failPollingId: null });
    expect(r.json.messages).toEqual(['Field "okPollingId": polling 999 does not exist (yet)']);
    const z = await t.call('PUT', '/inbound/700', { okPollingId: 0, failPollingId: null });
    expect(z.json.data).toMatchObject({ okPollingId: null, failPollingId: null });
  });

  it('bad input: result:false naming the field, nothing written', async () => {
    const before = (await t.call('GET', '/inbound/700')).json.data;
    for (const [body, msg] of [
      [{ okPollingId: 'abc' }, 'Field "okPollingId" must be a polling id'],
      [{ failPollingId: -3 }, 'Field "failPollingId"'],
      [{ okPollingId: 1.5 }, 'Field "okPollingId"'],
      ['[1]', 'Request body must be a JSON object'],
    ] as const) {
      const r = await t.call('PUT', '/inbound/700', body);
      expect(r.json.result, JSON.stringify(body)).toBe(false);
      expect(r.json.messages.join('\n')).toContain(msg);
    }
    expect((await t.call('GET', '/inbound/700')).json.data).toEqual(before);
    const badExten = await t.call('PUT', `/inbound/${encodeURIComponent('70 0')}`, {});
    expect(badExten.json.result).toBe(false);
    expect(badExten.json.messages[0]).toContain('Inbound number "70 0"');
  });

  it('DELETE removes it; idempotent; unknown GET is result:false', async () => {
    expect((await t.call('DELETE', '/inbound/700')).json.result).toBe(true);
    expect((await t.call('DELETE', '/inbound/700')).json.result).toBe(true);
    const g = await t.call('GET', '/inbound/700');
    expect(g.json).toMatchObject({ result: false, messages: ['Inbound number "700" not found'] });
    expect((await t.call('GET', '/inbound')).json.data.results).toEqual([]);
  });
});
