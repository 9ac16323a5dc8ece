/** Result codes of the original module, with the same meanings (see README "Result codes"). */
export const ResultCode = {
  FAIL_USER_NO_ANSWER: 'FAIL_USER_NO_ANSWER',
  FAIL_USER_BUSY: 'FAIL_USER_BUSY',
  FAIL_CLIENT_H_BEFORE_ANSWER: 'FAIL_CLIENT_H_BEFORE_ANSWER',
  FAIL_ROUTE: 'FAIL_ROUTE',
  FAIL_PROVIDER: 'FAIL_PROVIDER',
  SUCCESS_USER_H: 'SUCCESS_USER_H',
  SUCCESS_CLIENT_H: 'SUCCESS_CLIENT_H',
  SUCCESS_POLLING: 'SUCCESS_POLLING',
  FAIL_POLLING: 'FAIL_POLLING',
  SUCCESS: 'SUCCESS',
  FAIL: 'FAIL',
  SUCCESS_ANOTHER_PHONE: 'SUCCESS_ANOTHER_PHONE',
  SUCCESS_EXTERNAL_SIGNAL: 'SUCCESS_EXTERNAL_SIGNAL',
  /** Callback mode (v1.35): the operator hung up before the customer answered. */
  FAIL_USER_H_BEFORE_CLIENT_ANSWER: 'FAIL_USER_H_BEFORE_CLIENT_ANSWER',
  /** Ours: the number is on the do-not-call list (global or the task's); never dialed, never retried. */
  FAIL_DNC: 'FAIL_DNC',
} as const;
export type ResultCode = (typeof ResultCode)[keyof typeof ResultCode];

export const isSuccess = (r: string) => r.startsWith('SUCCESS');
export const isFailure = (r: string) => r.startsWith('FAIL');

/** The row's `cause` when it was closed because its number is on the do-not-call list. */
export const DNC_CAUSE = 'do-not-call list';

/** Task states as the API exposes them. */
export const TaskState = { OPEN: 0, CLOSED: 1, PAUSED: 2 } as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

/** Values of task_results.state (the row's last event), as the original names them. */
export const RowState = {
  CREATE_TASK: 'CreateTask',
  CREATE_CALL_FILE: 'CreateCallFile', // attempt claimed, channel id written, originate about to be sent
  AFTER_DIAL_OUT: 'afterDialOut', // customer leg finished ringing (answered or not)
  START_DIAL: 'startDial', // customer answered, ringing the agent
  END_DIAL: 'endDial', // agent leg ended
  EVENT_POLLING: 'EVENT_POLLING',
  EVENT_POLLING_END: 'EVENT_POLLING_END',
  END_CALL: 'endCall',
  FAILED_ORIGINATE: 'failedOriginate',
  ALL_USER_BUSY: 'allUserBusy',
  USER_CANCEL_CALLBACK: 'UserCancelCallback', // callback mode: the operator did not confirm the alert with key 1
  DNC: 'Dnc', // on the do-not-call list when it was about to be dialed: closed FAIL_DNC, never dialed
} as const;
