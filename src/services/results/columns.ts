/**
 * Columns returned to clients, in the original's order. Internal bookkeeping columns (originatedAt,
 * hangupCause, tasks.changeTime) are left out so the rows look like the original's.
 */
export const TASK_COLUMNS =
  'id, crmId, name, innerNum, innerNumType, maxCountChannels, state, dialPrefix, maxAttempt, ' +
  'attemptUntilSignal, timeStart, timeEnd, tryInterval, isCallback';

export const RESULT_COLUMNS =
  'id, taskId, phoneId, phone, clientId, linkedId, callFile, result, outDialState, inDialState, state, ' +
  'verboseCallId, cause, params, changeTime, countTry, attemptNumber, timeCallAllow, closeTime, timeOffsetMinutes';

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
