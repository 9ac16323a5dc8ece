import { describe, expect, it } from 'vitest';
import { RawJson, toJson } from '../../src/raw-json.js';
import { testApi } from './helpers.js';

describe('responses with pre-rendered rows', () => {
  it('embeds pre-rendered JSON as it is, keeping key order', () => {
    const rows = RawJson.array(['{"id":1,"changeTime":5.0}', '{"id":2,"phone":"7\\"9"}']);
    const text = RawJson.object({ result: true, data: RawJson.object({ name: 'x', results: rows }), messages: [] }).text;
    expect(text.startsWith('{"result":true,"data":{"name":"x","results":[')).toBe(true);
    expect(JSON.parse(text)).toEqual({ result: true, data: { name: 'x', results: [{ id: 1, changeTime: 5 }, { id: 2, phone: '7"9' }] }, messages: [] });
  });

  it('is plain JSON.stringify for everything else', () => {
    const v = { a: [1, 'two', null], b: { c: 1.5 }, d: '\u0000"' };
    expect(toJson(v)).toBe(JSON.stringify(v));
    expect(RawJson.object(v).text).toBe(JSON.stringify(v));
  });
});

describe('large answers', () => {
  const t = testApi();

  it('keeps every character when a long answer is encoded chunk by chunk (Cyrillic, emoji)', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: i % 3 ? 'Иван Петрович' : 'smile 😀', n: i / 7 }));
    const json = RawJson.object({ result: true, data: RawJson.array(rows.map((r) => JSON.stringify(r))) });
    expect(json.chunks.length).toBeGreaterThan(10);
    expect(json.byteLength).toBe(Buffer.byteLength(json.text));
    expect(JSON.parse(json.text)).toEqual({ result: true, data: rows });
  });

  it('GET /task/{id} of a 5 000-number task arrives whole, with a Content-Length', async () => {
    const numbers = Array.from({ length: 5_000 }, (_, i) => ({ number: String(79100000000 + i), params: { NAME: `Иван ${i}` } }));
    const id = (await t.call('POST', '/task', { innerNum: '1', numbers })).json.data.id;
    const r = await t.call('GET', `/task/${id}`);
    expect(r.status).toBe(200);
    expect(Number(r.headers.get('content-length'))).toBe(Buffer.byteLength(r.text));
    expect(r.json.data.results).toHaveLength(5_000);
    expect(JSON.parse(r.json.data.results[4_999].params)).toEqual({ NAME: 'Иван 4999' });
  });
});
