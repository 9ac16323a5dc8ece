import { RESULT_FIELDS } from '../services/results/columns.js';
import { sqliteRealText } from '../services/results/sqlite-real.js';

/**
 * What a webhook says, as JSON text fixed when the outbox row is written: the body is the same bytes on every
 * retry, so the idempotency key and the body always travel together.
 *
 * `call.result` carries the attempt row exactly as GET /results answers it (same field names, same JSON types:
 * database values as strings, `hangupCause` an integer or null), so a CRM can feed it to the code that reads
 * /results. `task.state` carries the task's id, crmId, name and its new and previous state.
 */

export type WebhookEvent = 'call.result' | 'task.state';

/** A task row as far as the events need it. */
export interface TaskForEvent {
  id: number;
  crmId: string;
  name: string;
  state: number;
  callbackUrl?: string | null;
}

/** One attempt row rendered in the JSON types of /results (services/results/columns.ts). */
export function resultRowJson(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, kind] of RESULT_FIELDS) {
    const v = row[name] ?? null;
    if (v === null || kind === 'text' || kind === 'native') out[name] = v;
    else if (kind === 'int') out[name] = String(v);
    else out[name] = v === 0 ? '0' : sqliteRealText(Number(v));
  }
  return out;
}

/** Why a task's state changed: the dialer closed it (no open numbers left), the API changed it, or it was deleted. */
export type TaskStateReason = 'completed' | 'api' | 'deleted';

export interface WebhookMessage {
  event: WebhookEvent;
  idempotencyKey: string;
  body: string;
}

export function callResultMessage(row: { id: number } & Record<string, unknown>, createdAt: number): WebhookMessage {
  // an attempt row gets its result once (closed rows are immutable): its id is the natural key
  const idempotencyKey = `call.result:${row.id}`;
  return { event: 'call.result', idempotencyKey, body: JSON.stringify({ id: idempotencyKey, event: 'call.result', createdAt, data: resultRowJson(row) }) };
}

export function taskStateMessage(task: TaskForEvent, previousState: number, state: number | 'deleted', reason: TaskStateReason, createdAt: number, unique: string): WebhookMessage {
  const idempotencyKey = `task.state:${task.id}:${unique}`;
  const data = {
    id: String(task.id),
    crmId: task.crmId,
    name: task.name,
    state: state === 'deleted' ? 'deleted' : String(state),
    previousState: String(previousState),
    reason,
  };
  return { event: 'task.state', idempotencyKey, body: JSON.stringify({ id: idempotencyKey, event: 'task.state', createdAt, data }) };
}
