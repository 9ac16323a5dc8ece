import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../src/db/client.js';
import { pollings, questionActions, questions } from '../../src/db/schema.js';

export type Press = typeof questionActions.$inferSelect;
export type Question = typeof questions.$inferSelect & { presses: Press[] };

export interface StoredPolling {
  id: number;
  crmId: string;
  /** In the order they were given; the first is where the survey starts. */
  questions: Question[];
}

/** The polling as stored by POST /polling, read once per call (a later edit does not change a call in progress). */
export function loadPolling(db: Db, pollingId: number): StoredPolling | undefined {
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
