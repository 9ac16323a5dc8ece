/** Requests from the page: same-origin, the session cookie rides along; a 401 sends the user to the login form. */
import type { CockpitError } from '../src/web/api-types.js';
export { API } from './live.js';

let onUnauthorized: () => void = () => {};
export const setOnUnauthorized = (fn: () => void) => void (onUnauthorized = fn);

export class RequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** A cockpit or v1 request answering JSON; throws RequestError with the server's own message. */
export async function getJson<T>(url: string, init: RequestInit = {}): Promise<T> {
  const r = await fetch(url, { credentials: 'same-origin', ...init });
  if (r.status === 401) onUnauthorized();
  const body = (await r.json().catch(() => undefined)) as unknown;
  if (!r.ok) {
    const e = body as Partial<CockpitError> & { messages?: unknown };
    const msg = e?.error ?? (e?.messages ? JSON.stringify(e.messages) : `HTTP ${r.status}`);
    throw new RequestError(msg, r.status, e?.field);
  }
  return body as T;
}

/** A v1 request: answers `data` of the envelope, throws with its messages when `result` is false. */
export async function v1<T>(method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin' };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { 'content-type': 'application/json' };
  }
  const r = await fetch(`/pbxcore/api/module-dialer/v1${path}`, init);
  if (r.status === 401) onUnauthorized();
  const j = (await r.json().catch(() => ({}))) as { result?: boolean; data?: T; messages?: unknown };
  if (!j.result) throw new RequestError(j.messages ? JSON.stringify(j.messages) : `HTTP ${r.status}`, r.status);
  return j.data as T;
}
