import type { Queries } from '../db/port.js';
import { chunksDown, chunksUp, lastRowId, settledRowId } from '../events/row-chunks.js';
import { KeyedQueue, PerDbLru } from '../events/task-cache.js';
import type { NumberRow, NumbersPage } from './api-types.js';
import {
  filterSql,
  keysetPage,
  matchesFilter,
  NUMBER_COLUMNS,
  toNumberRow,
  type Direction,
  type NumberDbRow,
  type PageCursor,
  type PageSource,
  type ResultFilter,
} from './number-rows.js';

/**
 * ?phone=<digits>: rows whose phone contains the digits. No index finds a substring, so the task's rows are scanned
 * in id order, CHUNK_ROWS a statement with the event loop handed back between them (a million rows: ~100
 * statements). Two kinds of search:
 * - a rare number (at most MATCH_CAP matches, e.g. a whole phone number): the matching ids are kept, so the page's
 *   refreshes while calls go on, its other pages and filters read only those rows; phones never change and rows
 *   only come with new ids, so later reads scan just the rows added since. The total is exact.
 * - common digits: a page is read by scanning from its cursor until it is full (matches are dense, so that is
 *   short); no total.
 */
const MATCH_CAP = 2000;
/** Searches whose matches are kept (ids of up to MATCH_CAP rows each). */
const KEPT_SEARCHES = 200;

interface Matches {
  /** Ids of the matching rows with id up to upTo, ascending; null when there are more than MATCH_CAP. */
  ids: number[] | null;
  upTo: number;
}

const searches = new PerDbLru<string, Matches>(KEPT_SEARCHES);
const queue = new KeyedQueue<string>();

const MATCH_IDS = 'SELECT id FROM task_results WHERE taskId = ? AND id > ? AND id <= ? AND phone LIKE ? ORDER BY id';

/** Ids of matching rows with id in (lo, hi], null as soon as there are more than `cap`. */
async function scanIds(db: Queries, taskId: number, like: string, lo: number, hi: number, cap: number): Promise<number[] | null> {
  const ids: number[] = [];
  for await (const [a, b] of chunksUp(db, 'task_results', taskId, lo, hi)) {
    for (const id of await db.values<number>(MATCH_IDS, [taskId, a, b, like])) ids.push(Number(id));
    if (ids.length > cap) return null;
  }
  return ids;
}

/** Every row id matching the digits, or null when they are more than MATCH_CAP. */
function matchingIds(db: Queries, taskId: number, digits: string, now: number): Promise<number[] | null> {
  const key = `${taskId}:${digits}`;
  return queue.run(db, key, async () => {
    const like = `%${digits}%`;
    let m = searches.get(db, key);
    const settled = await settledRowId(db, 'task_results', taskId, m?.upTo ?? 0, now);
    if (!m) m = { ids: await scanIds(db, taskId, like, 0, settled, MATCH_CAP), upTo: settled };
    else if (m.ids && settled > m.upTo) {
      const more = await scanIds(db, taskId, like, m.upTo, settled, MATCH_CAP - m.ids.length);
      m = { ids: more ? [...m.ids, ...more] : null, upTo: settled };
    }
    searches.set(db, key, m);
    if (!m.ids) return null;
    // PostgreSQL: rows above the settled id may still be joined by others, so they are not kept but read each time
    const last = await lastRowId(db, 'task_results', taskId);
    const recent = last > m.upTo ? await scanIds(db, taskId, like, m.upTo, last, MATCH_CAP - m.ids.length) : [];
    return recent ? [...m.ids, ...recent] : null;
  });
}

const BY_IDS_BATCH = 500;
// one statement text: the last batch is padded with an id no row has
const ROWS_BY_IDS = `SELECT ${NUMBER_COLUMNS} FROM task_results WHERE taskId = ? AND id IN (${Array(BY_IDS_BATCH).fill('?').join(', ')})`;

/** The rows with these ids still there (a re-POST may have deleted some), ascending. */
async function rowsByIds(db: Queries, taskId: number, ids: number[]): Promise<NumberRow[]> {
  const out: NumberRow[] = [];
  for (let i = 0; i < ids.length; i += BY_IDS_BATCH) {
    const batch = ids.slice(i, i + BY_IDS_BATCH);
    while (batch.length < BY_IDS_BATCH) batch.push(-1);
    for (const r of await db.all<NumberDbRow>(ROWS_BY_IDS, [taskId, ...batch])) out.push(toNumberRow(r));
  }
  return out.sort((a, b) => a.rowId - b.rowId);
}

/** Pages over rows already read, ascending by id. */
function listSource(rows: NumberRow[]): PageSource {
  const fetch = async (dir: Direction, bound: number, n: number) =>
    dir === 'up' ? rows.filter((r) => r.rowId > bound).slice(0, n) : rows.filter((r) => r.rowId < bound).reverse().slice(0, n);
  return { fetch, exists: async (dir, bound) => (await fetch(dir, bound, 1)).length > 0 };
}

const scanSql = (f: ResultFilter, dir: Direction) =>
  `SELECT ${NUMBER_COLUMNS} FROM task_results WHERE taskId = ? AND ${dir === 'up' ? 'id > ? AND id <= ?' : 'id >= ? AND id < ?'}
      AND phone LIKE ?${filterSql(f).sql} ORDER BY id${dir === 'up' ? '' : ' DESC'} LIMIT ?`;

/** Pages of a common search, read by scanning from the cursor until the page is full. */
function scanSource(db: Queries, taskId: number, like: string, f: ResultFilter): PageSource {
  const fetch = async (dir: Direction, bound: number, n: number): Promise<NumberRow[]> => {
    const out: NumberRow[] = [];
    const ranges = dir === 'up' ? chunksUp(db, 'task_results', taskId, bound, await lastRowId(db, 'task_results', taskId)) : chunksDown(db, 'task_results', taskId, bound);
    for await (const [lo, hi] of ranges) {
      const rows = await db.all<NumberDbRow>(scanSql(f, dir), [taskId, lo, hi, like, ...filterSql(f).params, n - out.length]);
      for (const r of rows) out.push(toNumberRow(r));
      if (out.length >= n) break;
    }
    return out;
  };
  // the pages next to one reached by paging are there (finding out would be another scan)
  return { fetch, exists: async () => true };
}

/** A page of the task's rows whose phone contains `digits` (and pass the result filter). */
export async function phoneSearchPage(db: Queries, taskId: number, digits: string, f: ResultFilter, cursor: PageCursor, now?: number): Promise<NumbersPage> {
  const ids = await matchingIds(db, taskId, digits, now ?? Date.now() / 1000);
  if (ids) {
    const rows = (await rowsByIds(db, taskId, ids)).filter((r) => matchesFilter(f, r.result));
    return { ...(await keysetPage(listSource(rows), cursor)), total: rows.length };
  }
  return { ...(await keysetPage(scanSource(db, taskId, `%${digits}%`, f), cursor)), total: null };
}
