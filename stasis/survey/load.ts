import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { pollings, questionActions, questions } from '../../src/db/schema.js';
import { pollingsVersion } from '../../src/services/pollings/version.js';

export type Press = typeof questionActions.$inferSelect;
export type Question = typeof questions.$inferSelect & { presses: Press[] };

export interface StoredPolling {
  id: number;
  crmId: string;
  /** In the order they were given; the first is where the survey starts. */
  questions: Question[];
}

/**
 * The polling as stored by POST /polling, taken once per call (a later edit does not change a call in progress).
 * Kept between calls until a polling is saved or deleted (pollingsVersion): three queries a call were 5 % of the
 * dialer's CPU under load (scripts/bench/asterisk-load.ts). Callers never change what they get.
 */
export function loadPolling(db: Db, pollingId: number): StoredPolling | undefined {
  const version = pollingsVersion(db);
  let c = cache.get(db);
  if (!c || c.version !== version) cache.set(db, (c = { version, byId: new Map() }));
  if (c.byId.has(pollingId)) return c.byId.get(pollingId);
  const p = readPolling(db, pollingId);
  if (c.byId.size >= MAX_CACHED) c.byId.clear();
  c.byId.set(pollingId, p);
  return p;
}

const cache = new WeakMap<Db, { version: number; byId: Map<number, StoredPolling | undefined> }>();
const MAX_CACHED = 256;

function readPolling(db: Db, pollingId: number): StoredPolling | undefined {
  const p = db.select().from(pollings).where(eq(pollings.id, pollingId)).get();
  if (!p) return undefined;
  const qs = db.select().from(questions).where(eq(questions.pollingId, pollingId)).orderBy(asc(questions.position), asc(questions.id)).all();
  const presses = db.select().from(questionActions).where(eq(questionActions.pollingId, pollingId)).orderBy(asc(questionActions.id)).all();
  return {
    id: p.id,
    crmId: p.crmId,
    questions: qs.map((q) => ({ ...q, presses: presses.filter((a) => a.questionId === q.id) })),
  };
}
