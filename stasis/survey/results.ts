import type { Clock } from '../../src/clock.js';
import type { Queries } from '../../src/db/client.js';
import type { SurveyContext } from './types.js';

/**
 * Appends one polling_results row per handled key. Rows are never updated: replays and restarts are
 * kept as history, and "the last row per questionCrmId + linkedId is current" (as v1.35 documents).
 * Callers await the write before going on (e.g. before a thank-you playback), so an answer is stored even
 * when the customer hangs up right after giving it, and one call's rows keep the order of its answers.
 */
export function createResultsWriter(db: Queries, clock: Pick<Clock, 'now'>, ctx: SurveyContext) {
  return async (questionCrmId: string, result: string | null | undefined, key: string): Promise<void> => {
    await db.run(
      `INSERT INTO polling_results (taskId, pollingId, questionCrmId, phoneId, phone, result, exten, linkedId, verboseCallId, changeTime)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        ctx.taskId,
        ctx.pollingId,
        questionCrmId,
        ctx.phoneId,
        ctx.phone,
        result ? result : '-',
        key,
        ctx.linkedId,
        ctx.verboseCallId,
        clock.now() / 1000,
      ],
    );
  };
}

export type WriteResult = ReturnType<typeof createResultsWriter>;
