import type { Db, Queries } from '../../src/db/client.js';
import type { questionActions, questions } from '../../src/db/schema.js';
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
 * Kept between calls until a polling is saved or deleted (pollingsVersion): reading it for every call was 5 % of
 * the dialer's CPU under load (scripts/bench/asterisk-load.ts). Calls answered together share one read. With
 * PostgreSQL another node may save a polling (pollingsVersion undefined): read afresh for every call. Callers
 * never change what they get.
 */
export function loadPolling(db: Db, pollingId: number): Promise<StoredPolling | undefined> {
  const version = pollingsVersion(db);
  if (version === undefined) return readPolling(db, pollingId);
  let c = cache.get(db);
  if (!c || c.version !== version) cache.set(db, (c = { version, byId: new Map() }));
  const byId = c.byId;
  let p = byId.get(pollingId);
  if (!p) {
    if (byId.size >= MAX_CACHED) byId.clear();
    const read = readPolling(db, pollingId);
    byId.set(pollingId, read);
    // A failed read is not kept: the next call reads again.
    read.catch(() => byId.get(pollingId) === read && byId.delete(pollingId));
    p = read;
  }
  return p;
}

const cache = new WeakMap<Db, { version: number; byId: Map<number, Promise<StoredPolling | undefined>> }>();
const MAX_CACHED = 256;

/**
 * The polling, its questions and their presses in ONE statement: a save replaces all questions and presses in
 * a transaction, and separate reads could see questions from before it and presses from after it.
 */
const READ = `SELECT p.crmId AS "pollingCrmId", q.id AS "qId", q.crmId, q.position, q.questionText, q.questionFile, q.lang,
    q.timeout, q.defPress, q.type, q.nextQuestion AS "qNext", a.id AS "aId", a.key, a.action, a.value, a.valueOptions,
    a.nextQuestion AS "aNext", a.needRecognize, a.recognizeLabel, a.crmResponseTemplate
  FROM pollings p
  LEFT JOIN questions q ON q.pollingId = p.id
  LEFT JOIN question_actions a ON a.questionId = q.id AND a.pollingId = p.id
  WHERE p.id = ?
  ORDER BY q.position, q.id, a.id`;

interface Joined {
  pollingCrmId: string;
  qId: number | null;
  crmId: string;
  position: number;
  questionText: string | null;
  questionFile: string | null;
  lang: string;
  timeout: number;
  defPress: string | null;
  type: string;
  qNext: string | null;
  aId: number | null;
  key: string;
  action: string;
  value: string | null;
  valueOptions: string | null;
  aNext: string | null;
  needRecognize: number;
  recognizeLabel: string | null;
  crmResponseTemplate: string | null;
}

async function readPolling(db: Queries, pollingId: number): Promise<StoredPolling | undefined> {
  // innerNum that is no id (NaN, 1.5) names no polling; PostgreSQL would refuse it as a parameter.
  if (!Number.isSafeInteger(pollingId)) return undefined;
  const rows = await db.all<Joined>(READ, [pollingId]);
  if (rows.length === 0) return undefined;
  const qs: Question[] = [];
  for (const r of rows) {
    if (r.qId === null) continue; // a polling without questions
    let q = qs[qs.length - 1];
    if (q?.id !== r.qId) {
      q = {
        id: r.qId,
        pollingId,
        crmId: r.crmId,
        position: r.position,
        questionText: r.questionText,
        questionFile: r.questionFile,
        lang: r.lang,
        timeout: r.timeout,
        defPress: r.defPress,
        type: r.type,
        nextQuestion: r.qNext,
        presses: [],
      };
      qs.push(q);
    }
    if (r.aId !== null) {
      q.presses.push({
        id: r.aId,
        questionId: r.qId,
        pollingId,
        key: r.key,
        action: r.action,
        value: r.value,
        valueOptions: r.valueOptions,
        nextQuestion: r.aNext,
        needRecognize: r.needRecognize,
        recognizeLabel: r.recognizeLabel,
        crmResponseTemplate: r.crmResponseTemplate,
      });
    }
  }
  return { id: pollingId, crmId: rows[0].pollingCrmId, questions: qs };
}
