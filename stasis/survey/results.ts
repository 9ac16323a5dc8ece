import type { Clock } from '../../src/clock.js';
import type { Db } from '../../src/db/client.js';
import { pollingResults } from '../../src/db/schema.js';
import type { SurveyContext } from './types.js';

/**
 * Appends one polling_results row per handled key. Rows are never updated: replays and restarts are
 * kept as history, and "the last row per questionCrmId + linkedId is current" (as v1.35 documents).
 */
export function createResultsWriter(db: Db, clock: Pick<Clock, 'now'>, ctx: SurveyContext) {
  return (questionCrmId: string, result: string | null | undefined, key: string) => {
    db.insert(pollingResults)
      .values({
        taskId: ctx.taskId,
        pollingId: ctx.pollingId,
        questionCrmId,
        phoneId: ctx.phoneId,
        phone: ctx.phone,
        result: result ? result : '-',
        exten: key,
        linkedId: ctx.linkedId,
        verboseCallId: ctx.verboseCallId,
        changeTime: clock.now() / 1000,
      })
      .run();
  };
}

export type WriteResult = ReturnType<typeof createResultsWriter>;
