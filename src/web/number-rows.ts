import type { NumberRow, NumbersPage } from './api-types.js';

/** The columns of task_results a NumberRow is made of (PostgreSQL's lower-cased names come back camelCase). */
export const NUMBER_COLUMNS =
  'id, phone, clientId, result, state, outDialState, inDialState, cause, attemptNumber, changeTime, closeTime, timeCallAllow, inCall';

/** A row as the database answers it: the page's NumberRow with the table's own id and inCall as 0 / 1. */
export type NumberDbRow = Omit<NumberRow, 'rowId' | 'inCall'> & { id: number; inCall: number };

export const toNumberRow = (r: NumberDbRow): NumberRow => ({
  rowId: Number(r.id),
  phone: r.phone,
  clientId: r.clientId,
  result: r.result,
  state: r.state,
  outDialState: r.outDialState ?? null,
  inDialState: r.inDialState ?? null,
  cause: r.cause ?? null,
  attemptNumber: Number(r.attemptNumber),
  changeTime: Number(r.changeTime),
  closeTime: Number(r.closeTime),
  timeCallAllow: Number(r.timeCallAllow),
  inCall: Number(r.inCall) === 1,
});

/** ?result=: any row, one result code, still open (no result yet) or done (any result). */
export type ResultFilter = { kind: 'any' } | { kind: 'code'; code: string } | { kind: 'open' } | { kind: 'done' };

/** The filter as a condition on the row (an open row is one without a result, as the contract has it). */
export function filterSql(f: ResultFilter): { sql: string; params: unknown[] } {
  if (f.kind === 'code') return { sql: ' AND result = ?', params: [f.code] };
  if (f.kind === 'open') return { sql: " AND result = ''", params: [] };
  if (f.kind === 'done') return { sql: " AND result <> ''", params: [] };
  return { sql: '', params: [] };
}

export function matchesFilter(f: ResultFilter, result: string): boolean {
  if (f.kind === 'code') return result === f.code;
  if (f.kind === 'open') return result === '';
  if (f.kind === 'done') return result !== '';
  return true;
}

/** up: rows with an id above the bound, ascending; down: below it, descending. */
export type Direction = 'up' | 'down';

export interface PageCursor {
  limit: number;
  after?: number;
  before?: number;
}

/** Rows of one filtered view of a task, read from a bound in either direction. */
export interface PageSource {
  fetch(dir: Direction, bound: number, n: number): Promise<NumberRow[]>;
  /** Whether any row lies beyond the bound in that direction (for the links to the next / previous page). */
  exists(dir: Direction, bound: number): Promise<boolean>;
}

/**
 * One page of a keyset-paged view: `limit` rows after `after` (or the first ones), or before `before`, in id order,
 * with the cursors of the pages around it (null where there is none).
 */
export async function keysetPage(src: PageSource, cur: PageCursor): Promise<Omit<NumbersPage, 'total'>> {
  if (cur.before !== undefined) {
    const got = await src.fetch('down', cur.before, cur.limit + 1);
    const rows = got.slice(0, cur.limit).reverse();
    const prevBefore = got.length > cur.limit ? rows[0]!.rowId : null;
    // the next page starts after this page's last row, or (an empty page) where this one was asked to end
    const edge = rows.length ? rows[rows.length - 1]!.rowId : cur.before - 1;
    const nextAfter = (await src.exists('up', edge)) ? edge : null;
    return { rows, nextAfter, prevBefore };
  }
  const after = cur.after ?? 0;
  const got = await src.fetch('up', after, cur.limit + 1);
  const rows = got.slice(0, cur.limit);
  const nextAfter = got.length > cur.limit ? rows[rows.length - 1]!.rowId : null;
  const edge = rows.length ? rows[0]!.rowId : after + 1;
  const prevBefore = after > 0 && (await src.exists('down', edge)) ? edge : null;
  return { rows, nextAfter, prevBefore };
}
