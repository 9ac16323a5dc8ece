/**
 * Columns returned to clients, in the original's order. Internal bookkeeping columns (originatedAt,
 * tasks.changeTime) are left out. `hangupCause` (the raw Q.850 code) is appended after the original's
 * fields: it is what tells a busy customer (17) from one who did not answer (19) or a number that does
 * not exist (1); extra fields are ignored by clients written against the original.
 */
export const TASK_COLUMNS =
  'id, crmId, name, innerNum, innerNumType, maxCountChannels, state, dialPrefix, maxAttempt, ' +
  'attemptUntilSignal, timeStart, timeEnd, tryInterval, isCallback';

export const RESULT_COLUMNS =
  'id, taskId, phoneId, phone, clientId, linkedId, callFile, result, outDialState, inDialState, state, ' +
  'verboseCallId, cause, params, changeTime, countTry, attemptNumber, timeCallAllow, closeTime, timeOffsetMinutes, hangupCause';

export const POLLING_RESULT_COLUMNS =
  'id, taskId, questionCrmId, pollingId, phoneId, phone, result, exten, changeTime, linkedId, verboseCallId';

export interface TaskRow {
  id: number;
  crmId: string;
  name: string;
  innerNum: string;
  innerNumType: string;
  maxCountChannels: number;
  state: number;
  dialPrefix: string;
  maxAttempt: number;
  attemptUntilSignal: number;
  timeStart: number;
  timeEnd: number;
  tryInterval: number;
  isCallback: number;
}

/** SQL that renders one row as a JSON object with these columns, in this order (SQLite's json_object). */
export function jsonRow(columns: string): string {
  return `json_object(${columns
    .split(',')
    .map((c) => c.trim())
    .map((c) => `'${c}', ${c}`)
    .join(', ')})`;
}
