import { normaliseNumber, phoneIdOf } from '../../domain/phone.js';
import { parseLocalDateTime } from './local-time.js';

/** One number of a task as it will be stored. */
export interface ParsedNumber {
  phone: string;
  phoneId: string;
  params: string;
  clientId: string;
  timeCallAllow: number;
  timeOffsetMinutes: number | null;
}

export type NumberItemInput =
  | string
  | number
  | {
      number?: string | number | null;
      params?: unknown;
      timeCallAllow?: string | number | null;
      clientId?: string | number | null;
      TimeOffset?: string | number | null;
    };

const MAX_ERRORS = 20;

/** What parsing a number list found wrong: the first 20 errors, how many in all, and warnings. */
export interface NumberListCheck {
  errors: string[];
  errorCount: number;
  warnings: string[];
}

export const newNumberListCheck = (): NumberListCheck => ({ errors: [], errorCount: 0, warnings: [] });

/** Thrown by parsedNumbers once the whole list is read, if any number was invalid: rolls back the merge. */
export class InvalidNumberList extends Error {
  constructor(readonly check: NumberListCheck) {
    super('invalid numbers in the list');
  }
}

/** The messages a refused list answers: the first errors, then how many more. */
export function numberListMessages(check: NumberListCheck): string[] {
  return check.errorCount > MAX_ERRORS ? [...check.errors, `... and ${check.errorCount - MAX_ERRORS} more invalid numbers`] : check.errors;
}

/**
 * Turn the request's `numbers` into rows one at a time: normalised, deduplicated by phoneId (first occurrence
 * wins, as v1.35). Empty entries are skipped with a warning; anything that is not a phone number, a bad
 * timeCallAllow or TimeOffset goes to `check.errors`. Once an error is found nothing more is yielded, but the
 * rest is still checked so the answer names them all; at the end InvalidNumberList is thrown, so a merge
 * consuming the list stops before it removes anything and its transaction rolls back.
 * A generator, not an array: 100 000 parsed rows held at once cost ~25 MB of the service's memory.
 */
export function* parsedNumbers(items: readonly NumberItemInput[], timeZone: string, check: NumberListCheck): Generator<ParsedNumber> {
  const seen = new Set<string>();
  const err = (msg: string) => {
    if (++check.errorCount <= MAX_ERRORS) check.errors.push(msg);
  };

  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const obj = typeof item === 'object' && item !== null ? item : null;
    const raw = obj ? obj.number : item;
    if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')) {
      check.warnings.push(`numbers[${i}]: empty number skipped`);
      continue;
    }
    const label = `Number "${String(raw)}" (numbers[${i}])`;
    const n = normaliseNumber(raw);
    if (!n.ok) {
      err(`${label} ${n.reason}`);
      continue;
    }
    let timeCallAllow = 0;
    let timeOffsetMinutes: number | null = null;
    let clientId = '';
    let params = '';
    if (obj) {
      const t = parseTimeCallAllow(obj.timeCallAllow, timeZone);
      if (t === null) err(`${label}: timeCallAllow "${String(obj.timeCallAllow)}" must be "DD.MM.YYYY HH:MM:SS"`);
      else timeCallAllow = t;
      const o = parseTimeOffset(obj.TimeOffset);
      if (o === undefined) err(`${label}: TimeOffset "${String(obj.TimeOffset)}" must be hours from -12 to 14 in whole minutes`);
      else timeOffsetMinutes = o;
      if (obj.clientId !== null && obj.clientId !== undefined) clientId = String(obj.clientId).trim();
      if (clientId.length > 200) err(`${label}: clientId is longer than 200 characters`);
      // PostgreSQL's text cannot hold a NUL: refused on SQLite too, so both answer alike
      if (clientId.includes('\u0000')) err(`${label}: clientId must not contain the NUL character`);
      if (obj.params !== null && obj.params !== undefined) params = JSON.stringify(obj.params);
    }
    const phoneId = phoneIdOf(n.number);
    if (seen.has(phoneId)) continue; // duplicates are kept once, the first occurrence
    seen.add(phoneId);
    if (check.errorCount === 0) yield { phone: n.number, phoneId, params, clientId, timeCallAllow, timeOffsetMinutes };
  }
  if (check.errorCount) throw new InvalidNumberList(check);
}

/** 0 = dial now; a "DD.MM.YYYY HH:MM:SS" local time or unix seconds; null when unparsable. */
function parseTimeCallAllow(v: unknown, timeZone: string): number | null {
  if (v === null || v === undefined || v === '' || v === 0 || v === '0') return 0;
  if (typeof v === 'number') return Number.isInteger(v) && v > 0 ? v : null;
  if (typeof v === 'string' && /^\s*\d{9,11}\s*$/.test(v)) return Number(v);
  return typeof v === 'string' ? parseLocalDateTime(v, timeZone) : null;
}

/** Hours from UTC → minutes; null for ''/omitted (PBX time); undefined when invalid. */
function parseTimeOffset(v: unknown): number | null | undefined {
  if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) return null;
  const hours = typeof v === 'number' ? v : typeof v === 'string' && /^\s*[-+]?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(hours) || hours < -12 || hours > 14) return undefined;
  const minutes = hours * 60;
  const whole = Math.round(minutes);
  return Math.abs(minutes - whole) < 1e-9 ? whole : undefined;
}
