import { sqliteRealText } from './sqlite-real.js';

/**
 * Columns returned to clients, in the original's order, with the JSON type each is answered in.
 * Internal bookkeeping columns (originatedAt, removed, tasks.changeTime) are left out.
 *
 * Why strings: the original (PHP 7.4 PDO over SQLite) answered every database value as a string, and the
 * seed's examples show it ("id": "132", "closeTime": "0", "state": "1"). The 1C client relies on it:
 * `closeTime <> "0"` is true for the number 0, so a numeric answer makes every number look finished.
 * `null` stays null (PDO gave null too).
 *
 * `hangupCause` (the raw Q.850 code) is our own field, appended after the original's: it tells a busy
 * customer (17) from one who did not answer (19) or a number that does not exist (1). It keeps its native
 * type (integer or null); extra fields are ignored by clients written against the original.
 */

/**
 * - `text`: stored as TEXT, answered as is (string or null);
 * - `int`: INTEGER answered as its decimal text ("132"), null stays null;
 * - `time`: REAL unix seconds answered as decimal text that parses back to exactly the stored value
 *   ("1724235073.123", "1724235073.0"); 0 is "0" (1C tests closeTime <> "0");
 * - `native`: our own extra fields, answered as their stored type (hangupCause: integer or null).
 */
export type FieldKind = 'text' | 'int' | 'time' | 'native';
export type Fields = readonly (readonly [name: string, kind: FieldKind])[];

export const RESULT_FIELDS: Fields = [
  ['id', 'int'],
  ['taskId', 'int'],
  ['phoneId', 'text'],
  ['phone', 'text'],
  ['clientId', 'text'],
  ['linkedId', 'text'],
  ['callFile', 'text'],
  ['result', 'text'],
  ['outDialState', 'text'],
  ['inDialState', 'text'],
  ['state', 'text'],
  ['verboseCallId', 'text'],
  ['cause', 'text'],
  ['params', 'text'],
  ['changeTime', 'time'],
  ['countTry', 'int'],
  ['attemptNumber', 'int'],
  ['timeCallAllow', 'int'],
  ['closeTime', 'time'],
  ['timeOffsetMinutes', 'int'],
  ['hangupCause', 'native'],
];

export const POLLING_RESULT_FIELDS: Fields = [
  ['id', 'int'],
  ['taskId', 'int'],
  ['questionCrmId', 'text'],
  ['pollingId', 'int'],
  ['phoneId', 'text'],
  ['phone', 'text'],
  ['result', 'text'],
  ['exten', 'text'],
  ['changeTime', 'time'],
  ['linkedId', 'text'],
  ['verboseCallId', 'text'],
  // v1.35: what speech recognition heard in a playback_record answer, and its press's label (null otherwise)
  ['recognizedText', 'text'],
  ['recognizeLabel', 'text'],
];

/**
 * Read by the services as plain rows (numbers stay numbers there); rendered by v1Task(). Our own fields (the v1.35
 * call features: answering-machine detection, retry rules) come after the original's, and are text like them:
 * retryRules is the stored JSON text ('' = none), so every task field stays a string for clients such as 1C.
 */
export const TASK_COLUMNS =
  'id, crmId, name, innerNum, innerNumType, maxCountChannels, state, dialPrefix, maxAttempt, ' +
  'attemptUntilSignal, timeStart, timeEnd, tryInterval, isCallback, amd, amdMessage, amdMessageFile, retryRules';

/** Our own task fields, after the original's: GET answers them, the POST/PUT echo keeps the original's field set. */
export const OWN_TASK_FIELDS = ['amd', 'amdMessage', 'amdMessageFile', 'retryRules'] as const;

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
  amd: string;
  amdMessage: string;
  amdMessageFile: string;
  retryRules: string;
}

/** SQL giving one field's JSON value in its answered type, for SQLite's json_object. */
function fieldSql(name: string, kind: FieldKind): string {
  switch (kind) {
    case 'int':
      return `CAST(${name} AS TEXT)`;
    case 'time':
      // SQLite prints a REAL with 17 significant digits, fewer where fewer read back to the same double
      // (sqlite-real.ts), so a client paging by the last changeTime it saw never skips the rest of that instant. A whole
      // value keeps its ".0": a bound without a fraction is then always one a client rounded (1C keeps
      // whole seconds), which GET /results takes one second earlier. 0 is "0" (1C tests closeTime <> "0").
      return `CASE WHEN ${name} = 0 THEN '0' ELSE CAST(${name} AS TEXT) END`;
    case 'text':
    case 'native':
      return name;
  }
}

/** SQLite: SQL that renders one row as a JSON object with these fields, in this order (json_object). */
export function jsonRow(fields: Fields): string {
  return `json_object(${fields.map(([name, kind]) => `'${name}', ${fieldSql(name, kind)}`).join(', ')})`;
}

/**
 * PostgreSQL: the fields in columns f0, f1, …; pgJsonRow turns one such row into its JSON. Integers are cast to
 * text as in SQLite; times come as numbers and are printed the way SQLite prints a REAL (sqlite-real.ts), which
 * is not always PostgreSQL's shortest text.
 */
export function pgRowColumns(fields: Fields): string {
  return fields.map(([name, kind], i) => `${kind === 'int' ? `CAST(${name} AS TEXT)` : name} AS f${i}`).join(', ');
}

/** PostgreSQL: one row of pgRowColumns as the JSON text jsonRow gives in SQLite, byte for byte. */
export function pgJsonRow(fields: Fields, row: Record<string, unknown>): string {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < fields.length; i++) {
    const [name, kind] = fields[i]!;
    const v = row[`f${i}`] ?? null;
    out[name] = kind === 'time' && typeof v === 'number' ? (v === 0 ? '0' : sqliteRealText(v)) : v;
  }
  return JSON.stringify(out);
}
