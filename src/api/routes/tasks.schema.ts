import { z } from 'zod';
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
