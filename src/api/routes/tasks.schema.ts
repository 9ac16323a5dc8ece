import { z } from 'zod';
import { MAX_RULE_ATTEMPTS, MAX_RULE_DELAY, RULE_OUTCOMES, retryRulesText, type RetryRules } from '../../domain/retry-outcome.js';
import { flagField, intField, keep, textField } from '../fields.js';

/** Request schemas of /task and /task-signal-close; the same schemas feed /openapi.json. */

/** `state`: 0 open, 1 closed, 2 paused; "" counts as 0 like the original's empty() check. */
const state = z.preprocess((v) => (v === '' ? 0 : v), flagField([0, 1, 2])).describe('0 open, 1 closed, 2 paused');

const NumberObject = z
  .object({
    number: z.union([z.string(), z.number()]).nullish(),
    params: z.unknown().optional(),
    timeCallAllow: z.union([z.string(), z.number()]).nullish().describe('DD.MM.YYYY HH:MM:SS in DIALER_TIMEZONE'),
    clientId: z.union([z.string(), z.number()]).nullish(),
    TimeOffset: z.union([z.string(), z.number()]).nullish().describe('hours from UTC, -12..14'),
  })
  .describe('a number with per-number options');

const minutesError = { error: 'must be a number of minutes from 0 to 1440 (fractions allowed)' };
const decimalString = /^\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*$/;

/**
 * `timeStart`/`timeEnd`: minutes from local midnight, 0..1440. 1C sends (time − 0001-01-01)/60, i.e. fractional
 * minutes (23:59:59 → 1439.983…). The dialer's window is whole minutes, inclusive, so the value is stored as the
 * minute it falls in (floor): 23:59:59 → 1439 dials through 23:59:59, 09:00:30 → 540 opens at 09:00.
 */
const minuteOfDay = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : typeof v === 'string' && decimalString.test(v) ? Number(v) : v),
  z
    .number(minutesError)
    .min(0, minutesError)
    .max(1440, minutesError)
    .optional()
    .transform((v) => (v === undefined ? undefined : Math.floor(v))),
);

export const NumberItem = z.union([z.string(), z.number(), NumberObject], {
  error: 'must be a phone number string or an object {number, params, timeCallAllow, clientId, TimeOffset}',
});

const outcomeList = RULE_OUTCOMES.join(', ');

/** One outcome's rule; unknown keys are refused so a misspelt "dealy" is not silently ignored. */
const RetryRule = z
  .strictObject(
    {
      delay: intField(0, MAX_RULE_DELAY).describe('seconds before the retry; default: the task\'s tryInterval'),
      max: intField(0, MAX_RULE_ATTEMPTS).describe(
        'attempts of the number that may end with this outcome (0 and 1: never retried); default: maxAttempt over all attempts',
      ),
    },
    {
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? `has unknown ${iss.keys.length > 1 ? 'fields' : 'field'} ${iss.keys.map((k) => `"${k}"`).join(', ')} (a rule has "delay" and "max")`
          : iss.code === 'invalid_type'
            ? 'must be an object {"delay": seconds, "max": attempts}'
            : undefined,
    },
  )
  // only checked on an otherwise valid rule: a misspelt field gets one message, not two
  .refine((r) => r.delay !== undefined || r.max !== undefined, { error: 'must set "delay" or "max"', when: (p) => p.issues.length === 0 });

/**
 * `retryRules`: an object of rules by outcome (docs/api.md "Retry rules"), or the same as JSON text (what GET
 * answers, so a task read back can be sent again). "" or {} removes every rule; null or omitted keeps them.
 * Validated here and stored as canonical JSON text ('' = none).
 */
const RetryRulesField = z.preprocess(
  (v) => {
    if (typeof v !== 'string') return v;
    if (v.trim() === '') return {};
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  },
  z
    .strictObject(Object.fromEntries(RULE_OUTCOMES.map((k) => [k, RetryRule.optional()])) as Record<(typeof RULE_OUTCOMES)[number], z.ZodOptional<typeof RetryRule>>, {
      error: (iss) =>
        iss.code === 'unrecognized_keys'
          ? `has unknown ${iss.keys.length > 1 ? 'outcomes' : 'outcome'} ${iss.keys.map((k) => `"${k}"`).join(', ')} (outcomes: ${outcomeList})`
          : iss.code === 'invalid_type'
            ? `must be an object of rules by outcome, e.g. {"busy": {"delay": 300, "max": 5}}, or its JSON text (outcomes: ${outcomeList})`
            : undefined,
    })
    .transform((rules) => retryRulesText(rules as RetryRules)),
).describe(`retry rules by outcome (${outcomeList}): {"<outcome>": {"delay": seconds, "max": attempts}}, or that as JSON text (what GET answers); "" or {} = none`);

/**
 * `callbackUrl`: this task's webhook (docs/webhooks.md), an http(s) URL; "" removes it (only the global one, if any,
 * then gets the task's events). Trimmed.
 */
const CallbackUrlField = z
  .string({ error: 'must be an http:// or https:// URL, or "" for none' })
  .trim()
  .max(2000, { error: 'must be at most 2000 characters' })
  .refine(
    (v) => {
      if (v === '') return true;
      try {
        const u = new URL(v);
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
      } catch {
        return false;
      }
    },
    { error: 'must be an http:// or https:// URL, or "" for none' },
  )
  .describe('this task\'s webhook: call.result and task.state events are POSTed here as well as to the global webhookUrl (docs/webhooks.md); "" = none');

/** Task columns a client may set (POST and PUT). */
export const TaskFields = z.object({
  crmId: keep(textField(200)).transform((v) => (v === undefined ? undefined : v.trim())),
  name: keep(textField(1000)),
  innerNum: keep(textField(100)),
  innerNumType: keep(z.enum(['exten', 'polling'], { error: 'must be "exten" or "polling"' })),
  maxCountChannels: keep(intField(1, 10000)),
  state: keep(state),
  dialPrefix: keep(textField(40).pipe(z.string().regex(/^[0-9*#+]*$/, { error: 'may contain only digits, *, # and +' }))),
  // 0 comes from 1C documents created outside its form (the original stores it): one attempt, no retry.
  maxAttempt: keep(intField(0, 1000).describe('attempts per number; 0 = 1 (no retry)')),
  attemptUntilSignal: keep(flagField([0, 1])),
  timeStart: keep(minuteOfDay.describe('minutes from local midnight, 0..1440; fractions are floored')),
  timeEnd: keep(minuteOfDay.describe('minutes from local midnight, 0..1440; fractions are floored')),
  tryInterval: keep(intField(0, 30 * 86400)),
  isCallback: keep(flagField([0, 1])),
  // our own fields (v1.35 call features), answered after the v1 ones
  amd: keep(z.enum(['', 'hangup', 'message'], { error: 'must be "" (off), "hangup" or "message"' })).describe(
    'answering-machine detection: "" off, "hangup" (a machine is FAIL / MACHINE), "message" (play amdMessageFile or amdMessage)',
  ),
  amdMessage: keep(textField(1000)).describe('with amd "message": the text spoken (TTS) to a machine after its greeting'),
  amdMessageFile: keep(textField(1000)).describe('with amd "message": an uploaded audio file (its path, as POST /audio answers), played instead of amdMessage'),
  retryRules: keep(RetryRulesField),
  callbackUrl: keep(CallbackUrlField),
});

export const TaskPostBody = TaskFields.extend({
  id: keep(intField(1, Number.MAX_SAFE_INTEGER)),
  numbers: z
    .array(NumberItem, { error: 'must be an array of numbers' })
    .nullish()
    .describe('merged by the last 10 digits; omitted/null = keep the current numbers'),
});

export const TaskPutBody = TaskFields;

/** Query strings: a blank value is the same as an absent one. */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const TaskListQuery = z.object({
  state: z.preprocess(blankToUndefined, flagField([0, 1, 2]).optional()),
  offset: z.preprocess(blankToUndefined, intField(0, Number.MAX_SAFE_INTEGER).optional()),
  limit: z.preprocess(blankToUndefined, intField(1, 1_000_000).optional()),
});

export const SignalCloseBody = z.object({
  phone: z.union([z.string(), z.number()], { error: 'must be a phone number' }).nullish(),
  taskId: keep(intField(1, Number.MAX_SAFE_INTEGER)),
});

export type TaskPostInput = z.output<typeof TaskPostBody>;
export type TaskPutInput = z.output<typeof TaskPutBody>;
