import type { Context } from 'hono';
import type { z } from 'zod';

export const INVALID_JSON = 'Invalid JSON request body';

export type Parsed<T> = { ok: true; value: T } | { ok: false; messages: string[] };

/**
 * Read the body as JSON whatever the Content-Type says (the documented curl examples send JSON with
 * curl's default form type). A UTF-8 BOM (1C sends one) is stripped.
 */
export async function readJson(c: Context): Promise<Parsed<unknown>> {
  // The raw request's text, not c.req.text(): Hono caches that for the request's lifetime, and for a
  // 100 000-number task it is 7-14 MB that would stay alive through the whole database transaction.
  let text = await c.req.raw.text();
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') return { ok: false, messages: [INVALID_JSON] };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, messages: [INVALID_JSON] };
  }
}

/** Read a JSON object body and validate it; messages name each field at fault. */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<Parsed<z.output<S>>> {
  const raw = await readJson(c);
  if (!raw.ok) return raw;
  if (raw.value === null || typeof raw.value !== 'object' || Array.isArray(raw.value)) {
    return { ok: false, messages: ['Request body must be a JSON object'] };
  }
  return validate(schema, raw.value);
}

export function validate<S extends z.ZodType>(schema: S, value: unknown): Parsed<z.output<S>> {
  const r = schema.safeParse(value);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, messages: formatIssues(r.error.issues) };
}

const MAX_MESSAGES = 20;

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const out = issues.slice(0, MAX_MESSAGES).map((i) => {
    const field = fieldName(i.path);
    return field ? `Field "${field}" ${i.message}` : i.message;
  });
  if (issues.length > MAX_MESSAGES) out.push(`... and ${issues.length - MAX_MESSAGES} more errors`);
  return out;
}

export function fieldName(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${String(p)}` : String(p);
  return s;
}
