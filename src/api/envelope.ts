import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import type { Outcome } from '../services/context.js';
import { RawJson } from '../raw-json.js';

/**
 * The original module's response envelope (MikoPBX PBXApiResult). Handled logical errors are HTTP 200 with
 * result:false, exactly as the original, because CRMs written against it check `result`, not the status.
 */
export function envelope(result: boolean, data: unknown, messages: unknown = []) {
  return { result, data, messages, function: '', processor: '', pid: process.pid };
}

const JSON_TYPE = { 'content-type': 'application/json; charset=UTF-8' };

export function sendEnvelope(c: Context, result: boolean, data: unknown, messages: unknown = [], status = 200) {
  // Serialised by hand (not c.json) so large result sets are stringified exactly once (or, as RawJson,
  // not at all).
  return c.body(RawJson.object(envelope(result, data, messages)).text, status as 200, JSON_TYPE);
}

/** Envelope for a service outcome; a failed outcome without data answers `data: []` like the original. */
export function sendOutcome(c: Context, out: Outcome<unknown>) {
  return out.ok
    ? sendEnvelope(c, true, out.data, out.messages ?? [])
    : sendEnvelope(c, false, out.data ?? [], out.messages);
}

/** MikoPBX core (jsonapi) error body, used for 404 and 401 as the original answers them. */
export function coreError(c: Context, status: 401 | 404 | 413 | 429 | 500, error: string) {
  const timestamp = new Date().toISOString();
  const hash = createHash('sha1').update(timestamp + error).digest('hex');
  return c.body(
    JSON.stringify({ jsonapi: { version: '1.0' }, errors: [error], meta: { timestamp, hash } }),
    status,
    JSON_TYPE,
  );
}

export const NOT_FOUND = '404 (Not Found)';
export const NOT_AUTHENTICATED = "The user isn't authenticated.";
