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
  // not at all), and sent as the UTF-8 chunks they were encoded into: no whole-answer string or copy.
  const json = RawJson.object(envelope(result, data, messages));
  if (json.byteLength <= ONE_PIECE_BYTES) {
    const body = json.chunks.length === 1 ? json.chunks[0]! : Buffer.concat(json.chunks as Buffer[], json.byteLength);
    return c.body(body as Uint8Array<ArrayBuffer>, status as 200, JSON_TYPE);
  }
  return c.body(chunkStream(json.chunks), status as 200, { ...JSON_TYPE, 'content-length': String(json.byteLength) });
}

/** Up to this size a copy into one buffer is cheaper than a stream (the common, small answers). */
const ONE_PIECE_BYTES = 256 * 1024;

/** The chunks handed out one at a time, as the socket takes them. */
function chunkStream(chunks: readonly Buffer[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (next < chunks.length) controller.enqueue(chunks[next++]!);
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
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
