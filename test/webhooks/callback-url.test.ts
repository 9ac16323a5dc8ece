import { describe, expect, it } from 'vitest';
import { testApi } from '../api/helpers.js';

/** The task's `callbackUrl`: validated on POST / PUT, answered by GET like our other task fields, not echoed. */
const { call } = testApi();

describe('task callbackUrl', () => {
  it('is saved, answered by GET /task and GET /task/{id}, changed and removed by PUT', async () => {
    const r = await call('POST', '/task', { innerNum: '201', callbackUrl: ' https://crm.example/hooks/dialer?x=1 ', numbers: ['79001112233'] });
    expect(r.json.result).toBe(true);
    expect(r.json.data).not.toHaveProperty('callbackUrl'); // the POST answer keeps the original's fields
    const id = r.json.data.id;
    expect((await call('GET', `/task/${id}`)).json.data.callbackUrl).toBe('https://crm.example/hooks/dialer?x=1');
    expect((await call('GET', '/task')).json.data.results.find((t: { id: string }) => t.id === id).callbackUrl).toBe('https://crm.example/hooks/dialer?x=1');
    expect((await call('PUT', `/task/${id}`, { callbackUrl: 'http://10.0.0.5:8080/in' })).json.result).toBe(true);
    expect((await call('GET', `/task/${id}`)).json.data.callbackUrl).toBe('http://10.0.0.5:8080/in');
    expect((await call('PUT', `/task/${id}`, { callbackUrl: null })).json.result).toBe(true); // null keeps it
    expect((await call('GET', `/task/${id}`)).json.data.callbackUrl).toBe('http://10.0.0.5:8080/in');
    expect((await call('PUT', `/task/${id}`, { callbackUrl: '' })).json.result).toBe(true);
    expect((await call('GET', `/task/${id}`)).json.data.callbackUrl).toBe('');
  });

  it('refuses what is not an http(s) URL, naming the field, writing nothing', async () => {
    for (const bad of ['ftp://crm.example/x', 'crm.example/hook', 'http://', 42]) {
      const r = await call('POST', '/task', { innerNum: '201', callbackUrl: bad });
      expect(r.json).toMatchObject({ result: false, messages: ['Field "callbackUrl" must be an http:// or https:// URL, or "" for none'] });
    }
    const long = await call('POST', '/task', { innerNum: '201', callbackUrl: `https://x.example/${'a'.repeat(2000)}` });
    expect(long.json.messages).toEqual(['Field "callbackUrl" must be at most 2000 characters']);
  });
});
