import { z } from 'zod';

/**
 * Lenient field types: the original accepted PHP-ish JSON, so "1" and 1 are both an integer and a number
 * is a fine crmId. Anything else is rejected with a message naming the field.
 */

const intString = /^\s*[-+]?\d+\s*$/;
/** PHP and 1C clients send "" for "not set": such a field counts as omitted. */
const isBlank = (v: unknown) => typeof v === 'string' && v.trim() === '';

/** Integer from a number or a string of digits; a blank string is "not given" (every use is optional). */
export const intField = (min: number, max: number) =>
  z.preprocess(
    (v) => (isBlank(v) ? undefined : typeof v === 'string' && intString.test(v) ? Number(v) : v),
    z
      .number({ error: `must be an integer from ${min} to ${max}` })
      .int({ error: `must be an integer from ${min} to ${max}` })
      .min(min, { error: `must be an integer from ${min} to ${max}` })
      .max(max, { error: `must be an integer from ${min} to ${max}` })
      .optional(),
  );

/** One of a few integer flags, e.g. 0|1. */
export const flagField = (values: readonly number[]) =>
  z.preprocess(
    (v) =>
      isBlank(v) ? undefined : typeof v === 'string' && intString.test(v) ? Number(v) : typeof v === 'boolean' ? Number(v) : v,
    z.literal(values as number[], { error: `must be one of ${values.join(', ')}` }).optional(),
  );

/**
 * Text with no NUL character: PostgreSQL's text cannot hold one, so it is refused on SQLite too, naming the field,
 * rather than stored by one database and failing on the other.
 */
export const NO_NUL = { error: 'must not contain the NUL character' };
export const hasNoNul = (s: string) => !s.includes('\u0000');

/** Text from a string or a number (CRMs send ids either way). */
export const textField = (max = 1000) =>
  z
    .union([z.string(), z.number()], { error: 'must be a string or a number' })
    .transform((v) => String(v))
    .pipe(z.string().max(max, { error: `must be at most ${max} characters` }).refine(hasNoNul, NO_NUL));

/** JSON null means "keep the stored value" (the original's `$data[col] ?? $old`). */
export const keep = <T extends z.ZodType>(t: T) => t.nullish().transform((v) => v ?? undefined);

/** A positive integer id in a URL path, or null. */
export function pathId(raw: string | undefined): number | null {
  if (!raw || !/^\d{1,15}$/.test(raw)) return null;
  const n = Number(raw);
  return n > 0 ? n : null;
}
