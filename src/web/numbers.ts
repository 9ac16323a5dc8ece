import { z } from 'zod';
import type { Queries } from '../db/port.js';
import { taskCounts, type TaskCounts } from '../events/task-counts.js';
import type { NumberRow, NumbersPage } from './api-types.js';
import { filterSql, keysetPage, NUMBER_COLUMNS, toNumberRow, type Direction, type NumberDbRow, type PageSource, type ResultFilter } from './number-rows.js';
import { phoneSearchPage } from './phone-search.js';

const rowCursor = z
  .string()
  .regex(/^\d{1,15}$/, 'must be a row id (a whole number)')
  .transform(Number);

/** GET /cockpit/api/campaigns/:id/numbers parameters (api-types.ts NumbersPage). */
export const NumbersQuery = z
  .object({
    limit: z
      .string()
      .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 500')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 500, 'must be a whole number from 1 to 500')
      .default(50),
    after: rowCursor.optional(),
    before: rowCursor.optional(),
    // digits only, as the page sends them; formatting a person would type is dropped first
    phone: z
      .string()
      .transform((s) => s.replace(/[\s\-().+]/g, ''))
      .pipe(z.string().regex(/^\d{1,20}$/, 'must be up to 20 digits'))
      .optional(),
    result: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a result code, open or done')
      .optional(),
  })
  .refine((q) => q.after === undefined || q.before === undefined, { message: 'give after or before, not both', path: ['before'] });

export type NumbersQuery = z.infer<typeof NumbersQuery>;

const resultFilter = (result: string | undefined): ResultFilter =>
  result === undefined ? { kind: 'any' } : result === 'open' ? { kind: 'open' } : result === 'done' ? { kind: 'done' } : { kind: 'code', code: result };

// Keyset reads in id order: task_results_task_row (taskId, id) for every row, task_results_result
// (taskId, result, id) for one result ('' = open); fixed statement texts per filter and direction.
const pageSql = (f: ResultFilter, dir: Direction) =>
  `SELECT ${NUMBER_COLUMNS} FROM task_results WHERE taskId = ?${filterSql(f).sql} AND id ${dir === 'up' ? '>' : '<'} ? ORDER BY id${dir === 'up' ? '' : ' DESC'} LIMIT ?`;

async function readPage(db: Queries, taskId: number, f: ResultFilter, dir: Direction, bound: number, n: number): Promise<NumberRow[]> {
  const rows = await db.all<NumberDbRow>(pageSql(f, dir), [taskId, ...filterSql(f).params, bound, n]);
  return rows.map(toNumberRow);
}

/**
 * Rows of a task under a result filter. "done" is every result code the counts know, each read on its own index
 * range and merged: bounded work however far apart the closed rows lie (a scan in id order past 700 000 open
 * rows to find the next closed one would not be).
 */
function indexedSource(db: Queries, taskId: number, f: ResultFilter, codes: string[]): PageSource {
  const fetch = async (dir: Direction, bound: number, n: number): Promise<NumberRow[]> => {
    if (f.kind !== 'done') return readPage(db, taskId, f, dir, bound, n);
    const all: NumberRow[] = [];
    for (const code of codes) all.push(...(await readPage(db, taskId, { kind: 'code', code }, dir, bound, n)));
    return all.sort((a, b) => (dir === 'up' ? a.rowId - b.rowId : b.rowId - a.rowId)).slice(0, n);
  };
  return { fetch, exists: async (dir, bound) => (await fetch(dir, bound, 1)).length > 0 };
}

/** Rows matching the filter, from the task's cached counts (exact, whatever the task's size). */
function filteredTotal(c: TaskCounts, f: ResultFilter): number {
  if (f.kind === 'code') return c.results[f.code] ?? 0;
  if (f.kind === 'open') return c.rows - c.done;
  if (f.kind === 'done') return c.done;
  return c.rows;
}

/** One page of a task's numbers (the task must exist). `now`: the service clock, unix seconds. */
export async function numbersPage(db: Queries, taskId: number, q: NumbersQuery, now?: number): Promise<NumbersPage> {
  const f = resultFilter(q.result);
  const cursor = { limit: q.limit, after: q.after, before: q.before };
  if (q.phone) return phoneSearchPage(db, taskId, q.phone, f, cursor, now);
  const counts = await taskCounts(db, taskId, { now });
  const page = await keysetPage(indexedSource(db, taskId, f, Object.keys(counts.results).sort()), cursor);
  return { ...page, total: filteredTotal(counts, f) };
}
