import { describe, expect, it } from 'vitest';
import { testApi } from './helpers.js';

const count = async (t: ReturnType<typeof testApi>, table: string) => Number(await t.db.value(`SELECT COUNT(*) FROM ${table}`));

describe('POST /client', () => {
  const t = testApi();

  it('creates clients with normalised numbers and an automatic NAME property; ids are strings like the original rows', async () => {
    const r = await t.call('POST', '/client', [
      { crmId: 'c-1', name: 'Иван Петров', phones: ['+7 (952) 223-34-41', '89522233441', 79001112233], properties: [{ key: 'ACCOUNT_1', value: '4521' }, { key: 'SUM', value: 900 }] },
    ]);
    expect(r.json.result).toBe(true);
    expect(r.json.messages).toEqual([]);
    const c = r.json.data[0];
    expect(c).toEqual({
      id: expect.stringMatching(/^\d+$/),
      crmId: 'c-1',
      name: 'Иван Петров',
      // 8952… is 7952… (same last 10 digits): kept once, first wins
      phones: [
        { id: expect.any(String), phoneId: '9522233441', phone: '79522233441', clientId: c.id },
        { id: expect.any(String), phoneId: '9001112233', phone: '79001112233', clientId: c.id },
      ],
      properties: [
        { id: expect.any(String), key: 'ACCOUNT_1', value: '4521', clientId: c.id },
        { id: expect.any(String), key: 'SUM', value: '900', clientId: c.id },
        { id: expect.any(String), key: 'NAME', value: 'Иван Петров', clientId: c.id },
      ],
    });
  });

  it('GET /client-by-phone: properties with NAME first, found by the last 10 digits in any format', async () => {
    for (const phone of ['89522233441', '+79522233441', '9522233441']) {
      const r = await t.call('GET', `/client-by-phone/${encodeURIComponent(phone)}`);
      expect(r.json.result).toBe(true);
      expect(r.json.data).toEqual([
        { key: 'NAME', value: 'Иван Петров' },
        { key: 'ACCOUNT_1', value: '4521' },
        { key: 'SUM', value: '900' },
      ]);
    }
    const none = await t.call('GET', '/client-by-phone/79990000000');
    expect(none.json).toMatchObject({ result: true, data: [] });
    const bad = await t.call('GET', '/client-by-phone/79abc');
    expect(bad.json.result).toBe(false);
    expect(bad.json.messages[0]).toContain('Number "79abc"');
  });

  it('upsert by crmId: given phones/properties replace the stored ones, a rename moves the automatic NAME', async () => {
    const before = await t.call('POST', '/client', [{ crmId: 'c-2', name: 'Old', phones: ['79110000001'], properties: [{ key: 'A', value: '1' }] }]);
    const after = await t.call('POST', '/client', [{ crmId: 'c-2', name: 'New', phones: ['79110000002'], properties: [{ key: 'B', value: '2' }] }]);
    expect(after.json.data[0].id).toBe(before.json.data[0].id);
    expect(after.json.data[0].phones.map((p: any) => p.phone)).toEqual(['79110000002']);
    expect(after.json.data[0].properties.map((p: any) => [p.key, p.value])).toEqual([['B', '2'], ['NAME', 'New']]);
    expect((await t.call('GET', '/client-by-phone/79110000001')).json.data).toEqual([]);
    // omitted phones and properties stay; the automatic NAME follows the new name (the original blanked it)
    const renamed = await t.call('POST', '/client', [{ crmId: 'c-2', name: 'Newer' }]);
    expect(renamed.json.data[0].phones.map((p: any) => p.phone)).toEqual(['79110000002']);
    expect((await t.call('GET', '/client-by-phone/79110000002')).json.data).toEqual([{ key: 'NAME', value: 'Newer' }, { key: 'B', value: '2' }]);
    // name omitted: the stored name is kept
    const kept = await t.call('POST', '/client', { crmId: 'c-2', phones: ['79110000003'] });
    expect(kept.json.data[0].name).toBe('Newer');
  });

  it('a NAME given by the CRM wins over the name and is not overwritten by a rename', async () => {
    await t.call('POST', '/client', [{ crmId: 'c-3', name: 'Legal name', phones: ['79120000001'], properties: [{ key: 'NAME', value: 'Spoken name' }] }]);
    await t.call('POST', '/client', [{ crmId: 'c-3', name: 'Other' }]);
    expect((await t.call('GET', '/client-by-phone/79120000001')).json.data).toEqual([{ key: 'NAME', value: 'Spoken name' }]);
  });

  it('a number two clients share belongs to the one saved last', async () => {
    await t.call('POST', '/client', [{ crmId: 'c-4', name: 'First', phones: ['79130000001'] }]);
    await t.call('POST', '/client', [{ crmId: 'c-5', name: 'Second', phones: ['89130000001'] }]);
    expect((await t.call('GET', '/client-by-phone/79130000001')).json.data).toEqual([{ key: 'NAME', value: 'Second' }]);
  });

  it('bad input: result:false naming the client and field, nothing written (also the valid clients before it)', async () => {
    const clients = await count(t, 'clients');
    const phones = await count(t, 'client_phones');
    const cases: [unknown, string][] = [
      [[{ crmId: 'ok-1', phones: ['79140000001'] }, { name: 'no crmId' }], 'Field "clients[1].crmId"'],
      [[{ crmId: 'ok-1', phones: ['79140000001'] }, { crmId: 'x', phones: ['7914abc'] }], 'Number "7914abc" (clients[1].phones[0])'],
      [[{ crmId: 'x', phones: '79140000001' }], 'Field "clients[0].phones" must be an array'],
      [[{ crmId: 'x', properties: [{ key: '', value: '1' }] }], 'Field "clients[0].properties[0].key" is required'],
      [[{ crmId: 'x', properties: [{ key: 'A<B', value: '1' }] }], 'Field "clients[0].properties[0].key" must not contain < or >'],
      [[{ crmId: 'x', properties: [{ key: 'A', value: { nested: 1 } }] }], 'Field "clients[0].properties[0].value"'],
      [[{ crmId: 'x', properties: [{ key: 'A', value: '1' }, { key: 'A', value: '2' }] }], '"A" repeats properties[0]'],
      [[{ crmId: 'dup' }, { crmId: ' dup ' }], 'Field "clients[1].crmId" "dup" repeats clients[0]'],
      ['"just a string"', 'must be an array of clients'],
      ['{not json', 'Invalid JSON request body'],
    ];
    for (const [body, message] of cases) {
      const r = await t.call('POST', '/client', body);
      expect(r.json.result, JSON.stringify(body)).toBe(false);
      expect(r.json.messages.join('\n'), JSON.stringify(body)).toContain(message);
    }
    expect(await count(t, 'clients')).toBe(clients);
    expect(await count(t, 'client_phones')).toBe(phones);
  });

  it('empty numbers are skipped with a message; an empty array is fine', async () => {
    const r = await t.call('POST', '/client', [{ crmId: 'c-6', name: 'E', phones: ['', '79150000001'] }]);
    expect(r.json.result).toBe(true);
    expect(r.json.messages).toEqual(['Field "clients[0].phones[0]" is empty and was skipped']);
    expect((await t.call('POST', '/client', [])).json).toMatchObject({ result: true, data: [] });
  });
});

describe('DELETE /client/{crmId}', () => {
  const t = testApi();

  it('deletes the client with its numbers and properties; idempotent', async () => {
    await t.call('POST', '/client', [{ crmId: 'gone', name: 'G', phones: ['79160000001'], properties: [{ key: 'A', value: '1' }] }]);
    expect((await t.call('DELETE', '/client/gone')).json).toMatchObject({ result: true, data: [] });
    expect((await t.call('GET', '/client-by-phone/79160000001')).json.data).toEqual([]);
    expect((await count(t, 'clients')) + (await count(t, 'client_phones')) + (await count(t, 'client_properties'))).toBe(0);
    expect((await t.call('DELETE', '/client/gone')).json.result).toBe(true);
    expect((await t.call('DELETE', '/client/never-was')).json.result).toBe(true);
  });
});

describe('/openapi.json', () => {
  const t = testApi();
  it('lists the client and inbound routes', async () => {
    const r = await t.call('GET', '/openapi.json');
    const paths = Object.keys(r.json.paths);
    for (const p of ['/client', '/client/{crmId}', '/client-by-phone/{phone}', '/inbound', '/inbound/{exten}']) {
      expect(paths).toContain(`/pbxcore/api/module-dialer/v1${p}`);
    }
  });
});
