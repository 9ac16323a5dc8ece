import { sql } from 'drizzle-orm';
import { sqliteTable, integer, text, real, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Storage of the ModuleAutoDialer v1 contract. Column names are the API's field names so rows can be
 * returned as the original returned them. Times (changeTime, closeTime) are float unix seconds, as the
 * original's microtime(true); timeCallAllow is whole unix seconds.
 */

export const tasks = sqliteTable(
  'tasks',
  {
    // AUTOINCREMENT so ids are never reused; the first id (1000000001) is seeded by the first migration.
    id: integer('id').primaryKey({ autoIncrement: true }),
    crmId: text('crmId').notNull().default(''),
    name: text('name').notNull().default(''),
    innerNum: text('innerNum').notNull().default(''),
    innerNumType: text('innerNumType').notNull().default('exten'), // exten | polling
    maxCountChannels: integer('maxCountChannels').notNull().default(1),
    state: integer('state').notNull().default(0), // 0 open, 1 closed, 2 paused
    dialPrefix: text('dialPrefix').notNull().default(''),
    maxAttempt: integer('maxAttempt').notNull().default(1),
    attemptUntilSignal: integer('attemptUntilSignal').notNull().default(0),
    timeStart: integer('timeStart').notNull().default(0), // minutes from local midnight
    timeEnd: integer('timeEnd').notNull().default(1440),
    tryInterval: integer('tryInterval').notNull().default(60), // seconds
    isCallback: integer('isCallback').notNull().default(0),
    /** Answering-machine detection: '' off, 'hangup' (a machine is FAIL / MACHINE), 'message' (play amdMessage*). */
    amd: text('amd').notNull().default(''),
    /** What 'message' plays to a machine after its greeting: an uploaded audio path, else this text by TTS. */
    amdMessage: text('amdMessage').notNull().default(''),
    amdMessageFile: text('amdMessageFile').notNull().default(''),
    /** Retry rules per outcome (JSON text, '' = none: maxAttempt / tryInterval apply to every FAIL*). */
    retryRules: text('retryRules').notNull().default(''),
    /** Webhook for this task's call results and state changes ('' = only the global one, if any). */
    callbackUrl: text('callbackUrl').notNull().default(''),
    changeTime: real('changeTime').notNull().default(0),
  },
  (t) => [index('tasks_crmId').on(t.crmId), index('tasks_state').on(t.state)],
);

/** One row per number per attempt. A row with a non-empty result is closed and never changes again. */
export const taskResults = sqliteTable(
  'task_results',
  {
    id: integer('id').primaryKey({ autoIncrement: true }), // dial order within a task
    taskId: integer('taskId').notNull(),
    phoneId: text('phoneId').notNull(),
    phone: text('phone').notNull(),
    clientId: text('clientId').notNull().default(''),
    linkedId: text('linkedId'),
    verboseCallId: text('verboseCallId'),
    callFile: text('callFile'), // the ARI channel id of the attempt (the original's call-file name)
    result: text('result').notNull().default(''),
    outDialState: text('outDialState'), // customer leg: ANSWER BUSY NOANSWER CONGESTION CHANUNAVAIL CANCEL
    inDialState: text('inDialState'), // agent leg: ANSWER / BUSY / NOANSWER …
    state: text('state').notNull().default('CreateTask'),
    cause: text('cause'), // hangup cause text of the customer channel
    hangupCause: integer('hangupCause'), // raw Q.850 code
    params: text('params').notNull().default(''), // JSON text of the number's params ('' when none)
    changeTime: real('changeTime').notNull(),
    countTry: integer('countTry'), // legacy column, always null (kept for CRM compatibility)
    attemptNumber: integer('attemptNumber').notNull().default(1),
    timeCallAllow: integer('timeCallAllow').notNull().default(0),
    closeTime: real('closeTime').notNull().default(0), // 0 = open
    timeOffsetMinutes: integer('timeOffsetMinutes'),
    /** Set when the originate request is about to be sent; a crash after this never re-dials the row. */
    originatedAt: real('originatedAt'),
    /** 1 = the CRM removed the number (re-POST) while this call was up: the call is recorded, never retried. */
    removed: integer('removed').notNull().default(0),
    /** The node that claimed the row and its epoch then (the fencing token); null while the row waits. */
    node: text('node'),
    epoch: integer('epoch'),
    /**
     * 1 from the claim until the node has the call's channels gone, which may be after the row got its result
     * (hang-up, a survey's transfer to an agent): every node counts these against the task's maxCountChannels.
     */
    inCall: integer('inCall').notNull().default(0),
  },
  (t) => [
    index('task_results_pick').on(t.taskId, t.closeTime, t.state, t.id),
    index('task_results_changeTime').on(t.changeTime),
    index('task_results_phoneId').on(t.phoneId),
    index('task_results_callFile').on(t.callFile),
    index('task_results_client').on(t.taskId, t.clientId),
    index('task_results_open').on(t.closeTime, t.state),
    // calls in flight (few among millions): each claim counts a task's, each lease renewal looks for orphans
    index('task_results_inflight').on(t.taskId, t.node).where(sql`inCall = 1`),
    // numbers waiting for a later retry time: the scheduler's wake-up timer asks for the earliest
    index('task_results_waiting')
      .on(t.taskId, t.timeCallAllow)
      .where(sql`closeTime = 0 AND state = 'CreateTask'`),
    // the cockpit's numbers table with a million rows in a task: a page in id order, by result ('' = open), a
    // phone prefix; and the counts cache folding a task's rows in id-range chunks (src/web/counts.ts)
    index('task_results_task_row').on(t.taskId, t.id),
    index('task_results_result').on(t.taskId, t.result, t.id),
    index('task_results_phone').on(t.taskId, t.phone),
  ],
);

export const pollings = sqliteTable(
  'pollings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    crmId: text('crmId').notNull(),
    name: text('name').notNull().default(''),
  },
  (t) => [uniqueIndex('pollings_crmId').on(t.crmId)],
);

export const questions = sqliteTable(
  'questions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    pollingId: integer('pollingId').notNull(),
    crmId: text('crmId').notNull(), // questionId, or the array index when empty; target of nextQuestion
    position: integer('position').notNull(),
    questionText: text('questionText'),
    questionFile: text('questionFile'),
    lang: text('lang').notNull().default('ru-RU'),
    timeout: integer('timeout').notNull().default(5),
    defPress: text('defPress'),
    type: text('type').notNull().default(''),
    nextQuestion: text('nextQuestion'),
  },
  (t) => [index('questions_polling').on(t.pollingId, t.position), index('questions_crmId').on(t.pollingId, t.crmId)],
);

export const questionActions = sqliteTable(
  'question_actions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    questionId: integer('questionId').notNull(),
    pollingId: integer('pollingId').notNull(),
    key: text('key').notNull(),
    action: text('action').notNull().default(''), // '' answer playback dial restart
    value: text('value'),
    valueOptions: text('valueOptions'), // playback: file | text; playback_record: seconds to wait for digits
    nextQuestion: text('nextQuestion'),
    /** playback_record: 1 = send the recording to speech recognition (v1.35). */
    needRecognize: integer('needRecognize').notNull().default(0),
    /** playback_record: the label stored with the recognised text and read back by confirmation questions. */
    recognizeLabel: text('recognizeLabel'),
    /** send_crm: the spoken answer, `<result>` replaced by the CRM's `data`. */
    crmResponseTemplate: text('crmResponseTemplate'),
  },
  (t) => [index('question_actions_question').on(t.questionId), index('question_actions_polling').on(t.pollingId)],
);

/** One row per handled key press; replays and restarts are kept as history. */
export const pollingResults = sqliteTable(
  'polling_results',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    taskId: integer('taskId').notNull(),
    pollingId: integer('pollingId').notNull(),
    questionCrmId: text('questionCrmId').notNull(),
    phoneId: text('phoneId').notNull(),
    phone: text('phone').notNull(),
    result: text('result').notNull(),
    exten: text('exten').notNull(),
    linkedId: text('linkedId'),
    verboseCallId: text('verboseCallId'),
    /** playback_record with recognition: what speech recognition heard, and the press's label (v1.35). */
    recognizedText: text('recognizedText'),
    recognizeLabel: text('recognizeLabel'),
    changeTime: real('changeTime').notNull(),
  },
  (t) => [
    index('polling_results_changeTime').on(t.changeTime),
    index('polling_results_task').on(t.taskId),
    index('polling_results_phoneId').on(t.phoneId),
  ],
);

export const audioFiles = sqliteTable(
  'audio_files',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(), // the uploaded file name: the identifier
    path: text('path').notNull(), // absolute path usable as questionFile / playback value
  },
  (t) => [uniqueIndex('audio_files_name').on(t.name)],
);

/**
 * CRM clients (POST /client): looked up by the caller's number on inbound polls. crmId is the CRM's key
 * (upsert); id is ours and is what phones and properties point to.
 */
export const clients = sqliteTable(
  'clients',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    crmId: text('crmId').notNull(),
    name: text('name').notNull().default(''),
  },
  (t) => [uniqueIndex('clients_crmId').on(t.crmId)],
);

/** A client's numbers, normalised as task numbers; phoneId (last 10 digits) is what a caller is matched on. */
export const clientPhones = sqliteTable(
  'client_phones',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clientId: integer('clientId').notNull(),
    phoneId: text('phoneId').notNull(),
    phone: text('phone').notNull(),
  },
  (t) => [index('client_phones_phoneId').on(t.phoneId), index('client_phones_client').on(t.clientId)],
);

/**
 * A client's properties, the `<KEY>` placeholders of inbound polls, in the order given. `auto` = 1 marks the
 * NAME row made from the client's name (the CRM gave no NAME), so a later rename updates it.
 */
export const clientProperties = sqliteTable(
  'client_properties',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clientId: integer('clientId').notNull(),
    key: text('key').notNull(),
    value: text('value').notNull().default(''),
    auto: integer('auto').notNull().default(0),
  },
  (t) => [index('client_properties_client').on(t.clientId)],
);

/**
 * Numbers callers dial to reach a poll (the original's DialerExtensions): a caller found among the clients
 * gets okPollingId, anyone else failPollingId; null = such callers are not answered.
 */
export const inboundNumbers = sqliteTable(
  'inbound_numbers',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    exten: text('exten').notNull(),
    name: text('name').notNull().default(''),
    okPollingId: integer('okPollingId'),
    failPollingId: integer('failPollingId'),
  },
  (t) => [uniqueIndex('inbound_numbers_exten').on(t.exten)],
);

/**
 * Dialer nodes, one per PBX, sharing the campaigns. A node holds a lease it renews; `epoch` grows each time
 * the node (re)starts or a peer takes its rows over, so a node that comes back late writes nothing it lost.
 */
export const nodes = sqliteTable('nodes', {
  id: text('id').primaryKey(),
  epoch: integer('epoch').notNull().default(0),
  leaseUntil: real('leaseUntil').notNull().default(0),
  startedAt: real('startedAt').notNull().default(0),
  host: text('host').notNull().default(''),
  /** 1 while the node dials (connected to its PBX, reconciled): survey tasks are shared among these nodes. */
  dialing: integer('dialing').notNull().default(0),
});

/**
 * The settings the original keeps in its module form (dial prefix, TTS engine and voices, Yandex key and
 * folder, callback alert, CRM URL and credentials). The environment gives the defaults; a row overrides it.
 */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  changeTime: real('changeTime').notNull(),
});

/**
 * Webhook deliveries, written in the same transaction as the result or state change they report, so a crash loses
 * none; delivered at least once (idempotencyKey lets the receiver drop repeats), retried with backoff.
 */
export const webhookOutbox = sqliteTable(
  'webhook_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    url: text('url').notNull(),
    event: text('event').notNull(),
    body: text('body').notNull(),
    idempotencyKey: text('idempotencyKey').notNull(),
    createdAt: real('createdAt').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: real('nextAttemptAt').notNull(),
    deliveredAt: real('deliveredAt'),
    lastError: text('lastError'),
  },
  (t) => [uniqueIndex('webhook_outbox_key').on(t.idempotencyKey, t.url), index('webhook_outbox_due').on(t.nextAttemptAt).where(sql`deliveredAt IS NULL`)],
);

/** Do-not-call numbers: taskId 0 = every task. Checked right before each originate. */
export const dnc = sqliteTable(
  'dnc',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    taskId: integer('taskId').notNull().default(0),
    phoneId: text('phoneId').notNull(),
    phone: text('phone').notNull(),
    reason: text('reason').notNull().default(''),
    addedAt: real('addedAt').notNull(),
  },
  (t) => [uniqueIndex('dnc_task_phone').on(t.taskId, t.phoneId), index('dnc_phone').on(t.phoneId)],
);
