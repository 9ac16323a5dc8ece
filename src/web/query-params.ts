import { z } from 'zod';
import type { CockpitError } from './api-types.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: CockpitError };

/**
 * A request's query (or path) parameters checked against `schema`. An empty value counts as not given
 * (`?after=` is the first page); the first problem found is answered, naming its parameter.
 */
export function parseParams<S extends z.ZodType>(schema: S, params: Record<string, string | undefined>): Parsed<z.infer<S>> {
  const given = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''));
  const r = schema.safeParse(given);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0]!;
  const field = issue.path.length ? String(issue.path[0]) : undefined;
  return { ok: false, error: { error: field ? `${field}: ${issue.message}` : issue.message, ...(field ? { field } : {}) } };
}

/** A row or task id in a URL: a whole number that is a safe integer (PostgreSQL's bigint takes it). */
export const idParam = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a whole number')
  .transform(Number)
  .refine((n) => n > 0, 'must be a whole number above 0');

/** The campaign (task) id of /cockpit/api/campaigns/:id/…. */
export const CampaignPath = z.object({ id: idParam });
