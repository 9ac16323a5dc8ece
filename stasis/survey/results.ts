import type { Clock } from '../../src/clock.js';
import type { Queries } from '../../src/db/client.js';
import type { SurveyContext } from './types.js';

/** One stored answer of this survey run, as confirmation questions and send_crm read them back. */
export interface Answer {
  id: number;
  questionCrmId: string;
  result: string;
  exten: string;
  /** What a read-back calls this answer: the press's recognizeLabel, else the question's crmId. */
  label: string;
  recognizedText: string | null;
  recognizeLabel: string | null;
}

/**
 * Appends one polling_results row per handled key. Rows are never replaced: replays and restarts are
 * kept as history, and "the last row per questionCrmId + linkedId is current" (as v1.35 documents). The one
 * later change is speech recognition filling recognizedText / recognizeLabel of a playback_record row.
 * Callers await the write before going on (e.g. before a thank-you playback), so an answer is stored even
 * when the customer hangs up right after giving it, and one call's rows keep the order of its answers.
 * `answers` are this run's rows, in order: what this call said, whatever its linkedId.
 */
export function createResultsWriter(db: Queries, clock: Pick<Clock, 'now'>, ctx: SurveyContext) {
  const answers: Answer[] = [];
  const write = async (questionCrmId: string, result: string | null | undefined, exten: string, label?: string | null): Promise<Answer> => {
    const stored = result ? result : '-';
    const id = await db.value<number>(
      `INSERT INTO polling_results (taskId, pollingId, questionCrmId, phoneId, phone, result, exten, linkedId, verboseCallId, changeTime)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [ctx.taskId, ctx.pollingId, questionCrmId, ctx.phoneId, ctx.phone, stored, exten, ctx.linkedId, ctx.verboseCallId, clock.now() / 1000],
    );
    const answer: Answer = {
      id: Number(id),
      questionCrmId,
      result: stored,
      exten,
      label: label?.trim() || questionCrmId,
      recognizedText: null,
      recognizeLabel: null,
    };
    answers.push(answer);
    return answer;
  };
  /** Speech recognition heard `text` in the answer's recording. changeTime moves so GET /polling-results/{t} picks the change up. */
  const recognized = async (answer: Answer, text: string, label: string | null): Promise<void> => {
    await db.run('UPDATE polling_results SET recognizedText = ?, recognizeLabel = ?, changeTime = ? WHERE id = ?', [
      text,
      label,
      clock.now() / 1000,
      answer.id,
    ]);
    answer.recognizedText = text;
    answer.recognizeLabel = label;
  };
  return Object.assign(write, { answers: answers as readonly Answer[], recognized });
}

export type WriteResult = ReturnType<typeof createResultsWriter>;
