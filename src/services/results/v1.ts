import type { TaskRow } from './columns.js';

/**
 * Rows built in JS (tasks, pollings, audio) in the JSON types of the original's answers: every database
 * value as a string, null stays null (PHP 7.4 PDO; see columns.ts for why 1C needs it). Big row sets
 * (results, polling results) are rendered the same way by the SQL of columns.ts instead (results/index.ts jsonRows).
 */

export type V1Value = string | null;
export const v1 = (v: string | number | null | undefined): V1Value => (v === null || v === undefined ? null : String(v));

/** Every field of a task as a string (GET /task, GET /task/{id}). */
export function v1Task(row: TaskRow): Record<keyof TaskRow, string> {
  const out = {} as Record<keyof TaskRow, string>;
  for (const k of Object.keys(row) as (keyof TaskRow)[]) out[k] = String(row[k]);
  return out;
}

/**
 * POST/PUT /task answer. The original saved the model and answered it without reading it back, so the
 * fields the request set kept the JSON type they came in with (the seed: `"maxCountChannels": 1,
 * "state": 0` sent as numbers) and the rest were database strings. The request's original types are gone
 * by the time it is validated, so: an integer field the request set is answered as a JSON number, every
 * other field as a string (a client that sent "10" gets 10 back, where the original echoed "10").
 */
export function v1TaskEcho(row: TaskRow, sent: Partial<Record<keyof TaskRow, unknown>>): Record<keyof TaskRow, string | number> {
  const out: Record<keyof TaskRow, string | number> = v1Task(row);
  for (const k of Object.keys(row) as (keyof TaskRow)[]) {
    if (k !== 'id' && typeof row[k] === 'number' && sent[k] !== undefined && sent[k] !== null) out[k] = row[k];
  }
  return out;
}

/**
 * POST /polling answer. The seed shows `"id": "7", "crmId": 7`: the id read from the database, and the
 * crmId the original computed as MAX(id)+1, a PHP integer. A crmId the client chose is its text.
 */
export function v1PollingSaved(p: { id: number; crmId: string; name: string }, autoCrmId: boolean) {
  return { id: String(p.id), crmId: autoCrmId && /^\d+$/.test(p.crmId) ? Number(p.crmId) : p.crmId, name: p.name };
}

/** GET /polling rows, GET /audio rows: id as a string (the seed: `"id": "8"`, `"id": "1"`). */
export const v1IdRow = <T extends { id: number }>(row: T): Omit<T, 'id'> & { id: string } => ({ ...row, id: String(row.id) });

/**
 * POST /task-signal-close: `{closed, taskIds}` is our own answer (the original echoed the request). Task
 * ids are strings like every id in the API, so they compare equal to `data.id` of a task; `closed` is a
 * count and stays a number.
 */
export const v1SignalClosed = (r: { closed: number; taskIds: number[] }) => ({ closed: r.closed, taskIds: r.taskIds.map(String) });
