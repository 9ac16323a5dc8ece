import { describe, expect, it } from 'vitest';
import { testApi } from './helpers.js';

/** retryRules on POST/PUT /task: validation naming the field, canonical storage, round trip through GET. */

const OUTCOMES = 'busy, noAnswer, congestion, machine, surveyUnfinished, agentBusy, agentNoAnswer, hungUpBeforeAgent, provider, other, success';

describe('retryRules on the task API', () => {
  const t = testApi();
  const get = async (id: string) => (await t.call('GET', `/task/${id}`)).json.data;

  it('stores the rules as canonical JSON text and answers them in GET /task/{id} and GET /task', async () => {
    const r = await t.call('POST', '/task', {
      crmId: 'rules-1',
      innerNum: '201',
      retryRules: { noAnswer: { max: 3, delay: 3600 }, busy: { delay: 300, max: 5 }, surveyUnfinished: { delay: '7200' } },
    });
    expect(r.json).toMatchObject({ result: true, messages: [] });
    // the POST answer keeps the original's fields only; our own are read with GET
    expect(r.json.data).not.toHaveProperty('retryRules');
    const canonical = '{"busy":{"delay":300,"max":5},"noAnswer":{"delay":3600,"max":3},"surveyUnfinished":{"delay":7200}}';
    const task = await get(r.json.data.id);
    expect(task.retryRules).toBe(canonical);
    // appended after the original's fields, every one a string
    expect(Object.keys(task).slice(0, 18)).toEqual([
      'id', 'crmId', 'name', 'innerNum', 'innerNumType', 'maxCountChannels', 'state', 'dialPrefix', 'maxAttempt',
      'attemptUntilSignal', 'timeStart', 'timeEnd', 'tryInterval', 'isCallback', 'amd', 'amdMessage', 'amdMessageFile', 'retryRules',
    ]);
    const listed = (await t.call('GET', '/task')).json.data.results.find((x: { id: string }) => x.id === r.json.data.id);
    expect(listed.retryRules).toBe(canonical);
  });

  it('takes back what GET answered (the JSON text), keeps the rules when omitted or null, clears them with "" or {}', async () => {
    const r = await t.call('POST', '/task', { innerNum: '201', retryRules: { busy: { delay: 60 } } });
    const id = r.json.data.id;
    const text = (await get(id)).retryRules;
    expect((await t.call('PUT', `/task/${id}`, { retryRules: text })).json.result).toBe(true);
    expect((await get(id)).retryRules).toBe(text);
    await t.call('PUT', `/task/${id}`, { state: 2 });
    await t.call('PUT', `/task/${id}`, { retryRules: null });
    await t.call('POST', '/task', { id: Number(id), innerNum: '201' });
    expect((await get(id)).retryRules).toBe('{"busy":{"delay":60}}');
    await t.call('PUT', `/task/${id}`, { retryRules: {} });
    expect((await get(id)).retryRules).toBe('');
    await t.call('PUT', `/task/${id}`, { retryRules: { busy: { max: 2 } } });
    await t.call('PUT', `/task/${id}`, { retryRules: '' });
    expect((await get(id)).retryRules).toBe('');
  });

  it('new tasks have no rules', async () => {
    const r = await t.call('POST', '/task', { innerNum: '201' });
    expect((await get(r.json.data.id)).retryRules).toBe('');
  });

  const refusals: [string, unknown, string][] = [
    ['a negative delay', { busy: { delay: -1 } }, 'Field "retryRules.busy.delay" must be an integer from 0 to 2592000'],
    ['a fractional max', { noAnswer: { max: 2.5 } }, 'Field "retryRules.noAnswer.max" must be an integer from 0 to 1000'],
    ['a max over 1000', { agentBusy: { max: 1001 } }, 'Field "retryRules.agentBusy.max" must be an integer from 0 to 1000'],
    ['a delay over 30 days', { machine: { delay: 2592001 } }, 'Field "retryRules.machine.delay" must be an integer from 0 to 2592000'],
    ['a text delay', { busy: { delay: 'soon' } }, 'Field "retryRules.busy.delay" must be an integer from 0 to 2592000'],
    ['a misspelt field', { busy: { dealy: 300 } }, 'Field "retryRules.busy" has unknown field "dealy" (a rule has "delay" and "max")'],
    ['an empty rule', { busy: {} }, 'Field "retryRules.busy" must set "delay" or "max"'],
    ['a rule that is not an object', { busy: 300 }, 'Field "retryRules.busy" must be an object {"delay": seconds, "max": attempts}'],
    ['an unknown outcome', { bussy: { delay: 1 } }, `Field "retryRules" has unknown outcome "bussy" (outcomes: ${OUTCOMES})`],
    ['a rule for a number that does not exist', { invalid: { max: 3 } }, `Field "retryRules" has unknown outcome "invalid" (outcomes: ${OUTCOMES})`],
    ['an array', [1], `Field "retryRules" must be an object of rules by outcome, e.g. {"busy": {"delay": 300, "max": 5}}, or its JSON text (outcomes: ${OUTCOMES})`],
    ['text that is not JSON', '{"busy":', `Field "retryRules" must be an object of rules by outcome, e.g. {"busy": {"delay": 300, "max": 5}}, or its JSON text (outcomes: ${OUTCOMES})`],
  ];

  it.each(refusals)('refuses %s naming the field, and changes nothing (POST and PUT)', async (_what, retryRules, message) => {
    const before = (await t.call('GET', '/task')).json.data.results.length;
    const post = await t.call('POST', '/task', { crmId: 'refused', innerNum: '201', retryRules, numbers: ['79001112233'] });
    expect(post.json).toMatchObject({ result: false, messages: [message] });
    expect((await t.call('GET', '/task')).json.data.results.length).toBe(before);

    const made = await t.call('POST', '/task', { innerNum: '201', name: 'kept', retryRules: { busy: { delay: 5 } } });
    const put = await t.call('PUT', `/task/${made.json.data.id}`, { name: 'changed', retryRules });
    expect(put.json).toMatchObject({ result: false, messages: [message] });
    expect(await get(made.json.data.id)).toMatchObject({ name: 'kept', retryRules: '{"busy":{"delay":5}}' });
  });

  it('is described in /openapi.json with the task fields', async () => {
    const doc = (await t.call('GET', '/openapi.json')).json;
    const props = doc.paths['/pbxcore/api/module-dialer/v1/task'].post.requestBody.content['application/json'].schema.properties;
    expect(props.retryRules.description).toContain('busy, noAnswer');
    expect(props.amd.enum ?? props.amd.anyOf).toBeDefined();
  });
});
