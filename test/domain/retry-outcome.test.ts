import { describe, expect, it } from 'vitest';
import { planRetry, readRetryRules, retryOutcome, retryRulesText, type FinishedAttempt, type RetryTask } from '../../src/domain/retry-outcome.js';

describe('retryOutcome: the class of a finished attempt', () => {
  const cases: [string, FinishedAttempt, string][] = [
    ['busy by dial state', { result: 'FAIL', outDialState: 'BUSY', hangupCause: 17 }, 'busy'],
    ['busy by cause only (a real trunk, no dial state)', { result: 'FAIL', outDialState: null, hangupCause: 17 }, 'busy'],
    ['call rejected counts as busy', { result: 'FAIL', hangupCause: 21 }, 'busy'],
    ['no answer', { result: 'FAIL', outDialState: 'NOANSWER', hangupCause: 19 }, 'noAnswer'],
    ['our ring timeout (CANCEL)', { result: 'FAIL', outDialState: 'CANCEL', hangupCause: null }, 'noAnswer'],
    ['no user responding', { result: 'FAIL', hangupCause: 18 }, 'noAnswer'],
    ['congestion', { result: 'FAIL', outDialState: 'CONGESTION', hangupCause: 34 }, 'congestion'],
    ['channel unavailable recorded as FAIL', { result: 'FAIL', outDialState: 'CHANUNAVAIL', hangupCause: 44 }, 'congestion'],
    ['switch congestion by cause', { result: 'FAIL', hangupCause: 42 }, 'congestion'],
    ['answering machine (amd = hangup)', { result: 'FAIL', outDialState: 'MACHINE', hangupCause: 16 }, 'machine'],
    ['survey not finished', { result: 'FAIL_POLLING', outDialState: 'ANSWER', hangupCause: 16 }, 'surveyUnfinished'],
    ['no agent free', { result: 'FAIL_USER_BUSY', outDialState: 'ANSWER' }, 'agentBusy'],
    ['agent did not answer', { result: 'FAIL_USER_NO_ANSWER', outDialState: 'ANSWER' }, 'agentNoAnswer'],
    ['customer hung up before the agent answered', { result: 'FAIL_CLIENT_H_BEFORE_ANSWER', hangupCause: 16 }, 'hungUpBeforeAgent'],
    ['provider down', { result: 'FAIL_PROVIDER', outDialState: 'CHANUNAVAIL', hangupCause: 38 }, 'provider'],
    ['no route', { result: 'FAIL_ROUTE', outDialState: null, hangupCause: 0 }, 'invalid'],
    ['unallocated number (the simulator: NOANSWER, cause 1)', { result: 'FAIL', outDialState: 'NOANSWER', hangupCause: 1 }, 'invalid'],
    ['number changed', { result: 'FAIL', outDialState: 'CHANUNAVAIL', hangupCause: 22 }, 'invalid'],
    ['invalid number format', { result: 'FAIL_PROVIDER', hangupCause: 28 }, 'invalid'],
    ['unclassified FAIL', { result: 'FAIL', outDialState: null, hangupCause: null }, 'other'],
    ['internal error', { result: 'FAIL', hangupCause: 16 }, 'other'],
    ['callback: operator hung up before the customer answered', { result: 'FAIL_USER_H_BEFORE_CLIENT_ANSWER' }, 'other'],
    ['success', { result: 'SUCCESS_CLIENT_H', outDialState: 'ANSWER', hangupCause: 16 }, 'success'],
    ['survey passed', { result: 'SUCCESS_POLLING' }, 'success'],
    ['closed by the CRM', { result: 'SUCCESS_EXTERNAL_SIGNAL' }, 'signalled'],
  ];
  it.each(cases)('%s', (_what, attempt, outcome) => expect(retryOutcome(attempt)).toBe(outcome));
});

describe('stored rules', () => {
  it('are written canonically: outcomes in documented order, delay before max, "" for none', () => {
    expect(retryRulesText({ noAnswer: { max: 3, delay: 3600 }, busy: { delay: 300 } })).toBe('{"busy":{"delay":300},"noAnswer":{"delay":3600,"max":3}}');
    expect(retryRulesText({})).toBe('');
  });

  it('are read back as written', () => {
    const rules = { busy: { delay: 300, max: 5 }, surveyUnfinished: { max: 2 } };
    expect(readRetryRules(retryRulesText(rules))).toEqual(rules);
    expect(readRetryRules('')).toEqual({});
  });

  it('a hand-edited value is read leniently: bad JSON is no rules, unknown outcomes and bad values are ignored', () => {
    expect(readRetryRules('{not json')).toEqual({});
    expect(readRetryRules('[1,2]')).toEqual({});
    expect(readRetryRules('{"bussy":{"delay":1},"busy":{"delay":-5,"max":2},"noAnswer":{"delay":"x"}}')).toEqual({ busy: { max: 2 } });
  });
});

describe('planRetry', () => {
  const task = (t: Partial<RetryTask> = {}): RetryTask => ({ maxAttempt: 3, tryInterval: 60, attemptUntilSignal: 0, ...t });
  const busy = { result: 'FAIL', outDialState: 'BUSY', hangupCause: 17 };

  it('without rules is v1.35: every FAIL* after tryInterval, counted by attempts, FAIL_ROUTE included', () => {
    expect(planRetry(busy, task(), {})).toEqual({ retry: true, delaySec: 60, max: 3, counts: 'all' });
    expect(planRetry({ result: 'FAIL_ROUTE' }, task(), {})).toEqual({ retry: true, delaySec: 60, max: 3, counts: 'all' });
    expect(planRetry({ result: 'SUCCESS_POLLING' }, task(), {})).toEqual({ retry: false });
    expect(planRetry({ result: 'SUCCESS_POLLING' }, task({ attemptUntilSignal: 1 }), {})).toMatchObject({ retry: true, delaySec: 60 });
    expect(planRetry({ result: 'SUCCESS_EXTERNAL_SIGNAL' }, task({ attemptUntilSignal: 1 }), {})).toEqual({ retry: false });
  });

  it("an outcome's rule gives its delay and its own max, counted over attempts with that outcome", () => {
    expect(planRetry(busy, task(), { busy: { delay: 300, max: 5 } })).toEqual({ retry: true, delaySec: 300, max: 5, counts: 'busy' });
  });

  it('a rule without max keeps maxAttempt over all attempts; a rule without delay keeps tryInterval', () => {
    expect(planRetry(busy, task(), { busy: { delay: 300 } })).toEqual({ retry: true, delaySec: 300, max: 3, counts: 'all' });
    expect(planRetry(busy, task(), { busy: { max: 4 } })).toEqual({ retry: true, delaySec: 60, max: 4, counts: 'busy' });
  });

  it('outcomes without a rule keep tryInterval and maxAttempt', () => {
    const noAnswer = { result: 'FAIL', outDialState: 'NOANSWER', hangupCause: 19 };
    expect(planRetry(noAnswer, task(), { busy: { delay: 300, max: 5 } })).toEqual({ retry: true, delaySec: 60, max: 3, counts: 'all' });
  });

  it('with rules, a number that does not exist or has no route is never retried, whatever the rules say', () => {
    const rules = { other: { delay: 1, max: 9 }, congestion: { max: 9 }, noAnswer: { max: 9 } };
    expect(planRetry({ result: 'FAIL_ROUTE', hangupCause: 3 }, task(), rules)).toEqual({ retry: false });
    expect(planRetry({ result: 'FAIL', outDialState: 'NOANSWER', hangupCause: 1 }, task({ attemptUntilSignal: 1 }), rules)).toEqual({ retry: false });
  });

  it('success is retried only with attemptUntilSignal = 1, by the success rule if any', () => {
    const rules = { success: { delay: 86400, max: 7 } };
    expect(planRetry({ result: 'SUCCESS_POLLING' }, task(), rules)).toEqual({ retry: false });
    expect(planRetry({ result: 'SUCCESS_POLLING' }, task({ attemptUntilSignal: 1 }), rules)).toEqual({ retry: true, delaySec: 86400, max: 7, counts: 'success' });
    expect(planRetry({ result: 'SUCCESS_EXTERNAL_SIGNAL' }, task({ attemptUntilSignal: 1 }), rules)).toEqual({ retry: false });
    // a FAIL without its own rule under attemptUntilSignal: maxAttempt / tryInterval as before
    expect(planRetry(busy, task({ attemptUntilSignal: 1 }), rules)).toEqual({ retry: true, delaySec: 60, max: 3, counts: 'all' });
  });
});
