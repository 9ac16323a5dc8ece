import { describe, expect, it } from 'vitest';
import { RawJson, toJson } from '../../src/raw-json.js';

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
