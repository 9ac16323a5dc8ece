import { describe, expect, it } from 'vitest';
import { loadPolling } from '../../stasis/survey/load.js';
import { testApi } from '../api/helpers.js';

describe('the polling a call runs', () => {
  const api = testApi();

  it('is what the API saved last: an edit or a delete reaches the next call, though the read is kept between calls', async () => {
    const saved = await api.call('POST', '/polling', { name: 'v1', questions: [{ questionId: 'a', questionText: 'First', press: [{ key: '1', action: 'answer', value: 'x' }] }] });
    const id = Number(saved.json.data.id);
    expect((await loadPolling(api.db, id))!.questions.map((q) => q.crmId)).toEqual(['a']);
    const [first, second] = [await loadPolling(api.db, id), await loadPolling(api.db, id)];
    if (api.db.dialect === 'sqlite') expect(first).toBe(second); // kept: no queries for the next call
    else expect(first).toEqual(second); // PostgreSQL: other nodes may save pollings, so each call reads afresh
    expect(await loadPolling(api.db, id + 1)).toBeUndefined();

    await api.call('POST', '/polling', { crmId: saved.json.data.crmId, questions: [{ questionId: 'b', questionText: 'Second' }, { questionId: 'c', questionText: 'Third' }] });
    expect((await loadPolling(api.db, id))!.questions.map((q) => q.crmId)).toEqual(['b', 'c']);
    // a polling created after a call looked for it in vain is found
    const other = await api.call('POST', '/polling', { name: 'v2', questions: [{ questionId: 'z', questionText: 'Z' }] });
    expect(Number(other.json.data.id)).toBe(id + 1);
    expect((await loadPolling(api.db, id + 1))!.questions.map((q) => q.crmId)).toEqual(['z']);

    await api.call('DELETE', `/polling/${id}`);
    expect(await loadPolling(api.db, id)).toBeUndefined();
  });
});
