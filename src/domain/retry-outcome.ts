import { ResultCode, isFailure, isSuccess } from './result-codes.js';

/**
 * Retry rules per outcome (pure; table-tested in test/domain/retry-outcome.test.ts).
 *
 * A finished attempt is put in one outcome class, from its result code, the customer leg's dial state and the
 * Q.850 hangup cause. A task's `retryRules` may give each class its own delay and its own maximum, as VICIdial
 * (per status) and Wombat (per RS_* state) let users do; classes without a rule keep the v1.35 meaning of
 * maxAttempt / tryInterval. docs/api.md "Retry rules" is the user-facing description.
 */

/** Outcome classes a rule may be given for, in the order they are stored and documented. */
export const RULE_OUTCOMES = [
  'busy', // FAIL, customer busy (BUSY, cause 17/21)
  'noAnswer', // FAIL, customer rang and did not answer (NOANSWER, CANCEL at our ring timeout, cause 18/19)
  'congestion', // FAIL, network congestion or channel unavailable (CONGESTION, CHANUNAVAIL, cause 34/38/41/42/44)
  'machine', // FAIL with outDialState MACHINE: an answering machine (the task's amd = hangup)
  'surveyUnfinished', // FAIL_POLLING
  'agentBusy', // FAIL_USER_BUSY
  'agentNoAnswer', // FAIL_USER_NO_ANSWER
  'hungUpBeforeAgent', // FAIL_CLIENT_H_BEFORE_ANSWER
  'provider', // FAIL_PROVIDER
  'other', // any other FAIL…
  'success', // SUCCESS…, retried only with attemptUntilSignal = 1
] as const;
export type RuleOutcome = (typeof RULE_OUTCOMES)[number];

/**
 * `invalid`: the number does not exist or has no route (FAIL_ROUTE, cause 1/22/28); no rule can make it retried.
 * `signalled`: closed by task-signal-close; never retried.
 * `suppressed`: the number is on the do-not-call list (FAIL_DNC); never dialed, never retried, whatever the rules.
 */
export type RetryOutcome = RuleOutcome | 'invalid' | 'signalled' | 'suppressed';

export interface FinishedAttempt {
  result: string;
  outDialState?: string | null;
  hangupCause?: number | null;
}

/** Q.850 causes of a number that does not exist (unallocated, number changed, invalid format). */
const NOT_EXISTING = new Set([1, 22, 28]);
const BUSY_CAUSES = new Set([17, 21]);
const NO_ANSWER_CAUSES = new Set([18, 19]);
const CONGESTION_CAUSES = new Set([34, 38, 41, 42, 44]);

const BY_RESULT: Partial<Record<string, RetryOutcome>> = {
  [ResultCode.FAIL_ROUTE]: 'invalid',
  [ResultCode.FAIL_POLLING]: 'surveyUnfinished',
  [ResultCode.FAIL_USER_BUSY]: 'agentBusy',
  [ResultCode.FAIL_USER_NO_ANSWER]: 'agentNoAnswer',
  [ResultCode.FAIL_CLIENT_H_BEFORE_ANSWER]: 'hungUpBeforeAgent',
  [ResultCode.FAIL_PROVIDER]: 'provider',
  [ResultCode.SUCCESS_EXTERNAL_SIGNAL]: 'signalled',
  [ResultCode.FAIL_DNC]: 'suppressed',
};

const BY_DIAL_STATE: Partial<Record<string, RuleOutcome>> = {
  MACHINE: 'machine',
  BUSY: 'busy',
  NOANSWER: 'noAnswer',
  CANCEL: 'noAnswer',
  CONGESTION: 'congestion',
  CHANUNAVAIL: 'congestion',
};

/** The outcome class of a finished attempt. */
export function retryOutcome(a: FinishedAttempt): RetryOutcome {
  const cause = a.hangupCause ?? 0;
  // the dialer records an unallocated number as FAIL with the dial state it saw (the simulator: NOANSWER, cause 1)
  if (isFailure(a.result) && NOT_EXISTING.has(cause)) return 'invalid';
  const byResult = BY_RESULT[a.result];
  if (byResult) return byResult;
  if (isSuccess(a.result)) return 'success';
  if (a.result !== ResultCode.FAIL) return 'other';
  const byDial = BY_DIAL_STATE[(a.outDialState ?? '').toUpperCase()];
  if (byDial) return byDial;
  if (BUSY_CAUSES.has(cause)) return 'busy';
  if (NO_ANSWER_CAUSES.has(cause)) return 'noAnswer';
  if (CONGESTION_CAUSES.has(cause)) return 'congestion';
  return 'other';
}

/** One outcome's rule: `delay` seconds before the retry, at most `max` attempts ending with this outcome. */
export interface RetryRule {
  delay?: number;
  max?: number;
}
export type RetryRules = Partial<Record<RuleOutcome, RetryRule>>;

/** Limits of the wire format (the API validates against them; stored text is read back within them). */
export const MAX_RULE_DELAY = 30 * 86400;
export const MAX_RULE_ATTEMPTS = 1000;

const isCount = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

/** Canonical stored text: outcomes in RULE_OUTCOMES order, delay before max; '' when there is no rule. */
export function retryRulesText(rules: RetryRules): string {
  const out: Record<string, RetryRule> = {};
  for (const k of RULE_OUTCOMES) {
    const r = rules[k];
    if (!r) continue;
    const rule: RetryRule = {};
    if (r.delay !== undefined) rule.delay = r.delay;
    if (r.max !== undefined) rule.max = r.max;
    out[k] = rule;
  }
  return Object.keys(out).length ? JSON.stringify(out) : '';
}

/**
 * tasks.retryRules as stored ('' = none). The API stores only validated, canonical text; anything else (a hand
 * edit in the database) is read leniently: unknown outcomes and out-of-range values are ignored, unparsable text
 * counts as no rules, so a bad edit can never stop the dialer from recording a call.
 */
export function readRetryRules(text: string | null | undefined): RetryRules {
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
  const rules: RetryRules = {};
  for (const k of RULE_OUTCOMES) {
    const r = (parsed as Record<string, unknown>)[k];
    if (!r || typeof r !== 'object') continue;
    const { delay, max } = r as Record<string, unknown>;
    const rule: RetryRule = {};
    if (isCount(delay, MAX_RULE_DELAY)) rule.delay = delay;
    if (isCount(max, MAX_RULE_ATTEMPTS)) rule.max = max;
    if (rule.delay !== undefined || rule.max !== undefined) rules[k] = rule;
  }
  return rules;
}

export interface RetryTask {
  maxAttempt: number;
  tryInterval: number;
  attemptUntilSignal: number;
}

/**
 * Whether an attempt may be followed by another, before counting: `max` attempts counted over `counts`, i.e. all
 * attempts of the number (`'all'`, compared with the closed attempt's attemptNumber, as v1.35 does) or only the
 * number's attempts of one outcome (a rule's own max).
 */
export type RetryPlan = { retry: false } | { retry: true; delaySec: number; max: number; counts: 'all' | RuleOutcome };

/**
 * The retry plan of a finished attempt under its task's rules.
 * - No rules: exactly v1.35: FAIL* (any result but SUCCESS_EXTERNAL_SIGNAL with attemptUntilSignal = 1) after
 *   tryInterval while attemptNumber < maxAttempt. (The dialer's own "does not exist" verdict is applied by the caller.)
 * - With rules: invalid numbers (FAIL_ROUTE, cause 1/22/28) and signal-closed rows are never retried. SUCCESS* is
 *   retried only with attemptUntilSignal = 1. An outcome with a rule waits its `delay` (else tryInterval) and is
 *   limited by its `max` counted over attempts with that outcome (else by maxAttempt over all attempts).
 */
export function planRetry(attempt: FinishedAttempt, task: RetryTask, rules: RetryRules): RetryPlan {
  const byAttempts = (delaySec: number): RetryPlan => ({ retry: true, delaySec, max: task.maxAttempt, counts: 'all' });
  // a do-not-call number is never called again, with or without rules, even with attemptUntilSignal
  if (attempt.result === ResultCode.FAIL_DNC) return { retry: false };
  const hasRules = RULE_OUTCOMES.some((k) => rules[k]);
  if (!hasRules) {
    const wants = isFailure(attempt.result) || (task.attemptUntilSignal === 1 && attempt.result !== ResultCode.SUCCESS_EXTERNAL_SIGNAL);
    return wants ? byAttempts(task.tryInterval) : { retry: false };
  }
  const outcome = retryOutcome(attempt);
  if (outcome === 'invalid' || outcome === 'signalled' || outcome === 'suppressed') return { retry: false };
  // what is not a failure (SUCCESS…) is retried only until the CRM's signal, as in v1.35
  if (!isFailure(attempt.result) && task.attemptUntilSignal !== 1) return { retry: false };
  const rule = rules[outcome];
  const delaySec = rule?.delay ?? task.tryInterval;
  if (rule?.max === undefined) return byAttempts(delaySec);
  return { retry: true, delaySec, max: rule.max, counts: outcome };
}
