/**
 * Phone number rules shared by the API (task numbers, signal-close) and the dialer.
 * The original module matched call events to rows by a "phoneId" and broke on formatted numbers;
 * we normalise on input instead and reject anything that is not a phone number.
 */

/** Characters people use to format numbers; they carry no meaning and are stripped. */
const FORMATTING = /[\s\-().]/g;

export type NormalisedNumber = { ok: true; number: string } | { ok: false; reason: string };

/**
 * Strip formatting characters and a leading '+', then require digits only.
 * Returns the digits as the number to store and dial.
 */
export function normaliseNumber(raw: unknown): NormalisedNumber {
  if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) raw = String(raw);
  if (typeof raw !== 'string') return { ok: false, reason: 'must be a string of digits' };
  let s = raw.replace(FORMATTING, '');
  if (s.startsWith('+')) s = s.slice(1);
  if (s.length === 0) return { ok: false, reason: 'is empty' };
  if (!/^\d+$/.test(s)) return { ok: false, reason: 'may contain only digits, spaces, dashes, parentheses and a leading +' };
  if (s.length > 20) return { ok: false, reason: 'is longer than 20 digits' };
  return { ok: true, number: s };
}

/** Identity of a number inside a task: its last 10 digits (so 7900… and 8900… are the same subscriber). */
export function phoneIdOf(number: string): string {
  const digits = number.startsWith('+') ? number.slice(1) : number;
  return /^\d+$/.test(digits) ? digits.slice(-10) : number;
}
