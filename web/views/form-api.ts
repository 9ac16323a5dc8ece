/**
 * Requests the editors make, answered in full: web/api.ts's v1() keeps only `data` and throws the messages as
 * one string, but a form needs each message (to put it next to the field it names) and the warnings a
 * successful save carries (POST /polling: "question 1 will play a beep").
 */
import { API, v1 } from '../api.js';

export interface V1Answer<T> {
  ok: boolean;
  data: T;
  /** The envelope's messages: the refusal's reasons, or a success's warnings. */
  messages: string[];
  status: number;
}

/** The messages of an envelope, whatever shape they came in (the v1 API sends an array of strings). */
function asMessages(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map((m) => (typeof m === 'string' ? m : JSON.stringify(m)));
  if (raw && typeof raw === 'object') return Object.values(raw as Record<string, unknown>).flatMap(asMessages);
  return raw === undefined || raw === null || raw === '' ? [] : [String(raw)];
}

/**
 * The login form comes back through web/api.ts, whose hook is private to it: a cheap v1 request there sees the
 * same 401 and calls it.
 */
function sessionLost(): void {
  void v1('GET', '/test').catch(() => undefined);
}

/** A v1 request (JSON body or FormData); never throws for a refusal: `ok` false with the API's messages. */
export async function callV1<T = unknown>(method: string, path: string, body?: unknown): Promise<V1Answer<T>> {
  const init: RequestInit = { method, credentials: 'same-origin' };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  let r: Response;
  try {
    r = await fetch(`${API}${path}`, init);
  } catch (e) {
    return { ok: false, data: undefined as T, messages: [`the service did not answer (${(e as Error).message})`], status: 0 };
  }
  if (r.status === 401) sessionLost();
  const j = (await r.json().catch(() => undefined)) as { result?: boolean; data?: T; messages?: unknown; errors?: unknown } | undefined;
  const messages = asMessages(j?.messages ?? j?.errors);
  if (!j?.result) return { ok: false, data: j?.data as T, messages: messages.length ? messages : [`HTTP ${r.status}`], status: r.status };
  return { ok: true, data: j.data as T, messages, status: r.status };
}

/** What a cockpit endpoint answered: the JSON body on success; the CockpitError's message, field and line errors otherwise. */
export interface CockpitAnswer<T> {
  ok: boolean;
  status: number;
  data?: T;
  error?: string;
  field?: string;
  /** Line errors (import): "line 7: …". */
  errors: string[];
}

/** POST a file to a cockpit endpoint as multipart field `file`. */
export async function postCockpitFile<T>(url: string, file: File): Promise<CockpitAnswer<T>> {
  const form = new FormData();
  form.append('file', file, file.name);
  let r: Response;
  try {
    r = await fetch(url, { method: 'POST', body: form, credentials: 'same-origin' });
  } catch (e) {
    return { ok: false, status: 0, error: `the service did not answer (${(e as Error).message})`, errors: [] };
  }
  if (r.status === 401) sessionLost();
  const j = (await r.json().catch(() => undefined)) as (T & { error?: string; field?: string; errors?: unknown }) | undefined;
  if (r.ok && j) return { ok: true, status: r.status, data: j, errors: asMessages(j.errors) };
  return {
    ok: false,
    status: r.status,
    error: j?.error ?? (r.status === 404 ? 'this service has no such endpoint (404)' : `HTTP ${r.status}`),
    field: j?.field,
    errors: asMessages(j?.errors),
  };
}

/**
 * Which form field a v1 message names: `Field "retryRules.busy.delay" must…` → retryRules.busy.delay,
 * `Number "7900abc" (numbers[1]) may…` → numbers[1], a polling warning `questions[0].press[1]: …` → that path.
 * '' when the message names none (shown above the form).
 */
export function fieldOf(message: string): string {
  const named = /^Field "([^"]+)"/.exec(message);
  if (named) return named[1]!;
  const number = /\((numbers\[\d+\])\)/.exec(message);
  if (number) return number[1]!;
  const path = /^((?:questions|numbers)\[\d+\](?:\.\w+(?:\[\d+\])?)*)\s*:/.exec(message);
  return path ? path[1]! : '';
}

/** Messages grouped by the field they name ('' = none). */
export function byField(messages: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of messages) {
    const f = fieldOf(m);
    out.set(f, [...(out.get(f) ?? []), m]);
  }
  return out;
}
