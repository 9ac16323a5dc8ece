/**
 * The task editor's form as data: what the inputs hold (text, as typed), how a task read from GET /task becomes
 * that, how it becomes a POST/PUT body with the exact types src/api/routes/tasks.schema.ts accepts, and the checks
 * the API would make, done before sending so each error sits next to its field. Field names are the API's own
 * paths (retryRules.busy.delay, numbers[3]), so the API's messages land on the same fields.
 */
import { MAX_RULE_ATTEMPTS, MAX_RULE_DELAY, RULE_OUTCOMES, type RuleOutcome } from '../../src/domain/retry-outcome.js';

export { RULE_OUTCOMES, type RuleOutcome };

export type Errors = Map<string, string[]>;

export interface RuleDraft {
  delay: string;
  max: string;
}

export interface TaskDraft {
  name: string;
  crmId: string;
  innerNumType: 'polling' | 'exten';
  /** The polling's internal id (innerNum of a survey task). */
  pollingId: string;
  /** An extension or a queue number (innerNum of an exten task). */
  exten: string;
  maxCountChannels: string;
  maxAttempt: string;
  tryInterval: string;
  dialPrefix: string;
  /** "HH:MM"; '' = from midnight / until the end of the day. */
  timeStart: string;
  timeEnd: string;
  isCallback: boolean;
  attemptUntilSignal: boolean;
  amd: '' | 'hangup' | 'message';
  amdMessage: string;
  amdMessageFile: string;
  retryRules: Record<RuleOutcome, RuleDraft>;
  callbackUrl: string;
  /** 0 dialing, 2 paused, 1 closed. */
  state: '0' | '1' | '2';
}

const noRules = () => Object.fromEntries(RULE_OUTCOMES.map((o) => [o, { delay: '', max: '' }])) as Record<RuleOutcome, RuleDraft>;

/** A new task: the API's defaults (maxCountChannels 1, maxAttempt 1, tryInterval 60, all day), paused until asked. */
export function newTaskDraft(): TaskDraft {
  return {
    name: '', crmId: '', innerNumType: 'polling', pollingId: '', exten: '',
    maxCountChannels: '1', maxAttempt: '1', tryInterval: '60', dialPrefix: '',
    timeStart: '', timeEnd: '', isCallback: false, attemptUntilSignal: false,
    amd: '', amdMessage: '', amdMessageFile: '', retryRules: noRules(), callbackUrl: '', state: '0',
  };
}

const hhmm = (minutes: string, edge: number): string => {
  const m = Number(minutes);
  if (!Number.isFinite(m) || m === edge) return '';
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};

/** A task as GET /task answers it (every field a string; retryRules as JSON text). */
export function draftFromTask(t: Record<string, string | null>): TaskDraft {
  const s = (k: string) => t[k] ?? '';
  const rules = noRules();
  try {
    const stored = s('retryRules') ? (JSON.parse(s('retryRules')) as Record<string, { delay?: number; max?: number }>) : {};
    for (const [k, r] of Object.entries(stored)) {
      if (k in rules) rules[k as RuleOutcome] = { delay: r.delay === undefined ? '' : String(r.delay), max: r.max === undefined ? '' : String(r.max) };
    }
  } catch {
    // unreadable rules: shown empty; the API keeps them unless the table is changed
  }
  const polling = s('innerNumType') === 'polling';
  return {
    name: s('name'), crmId: s('crmId'), innerNumType: polling ? 'polling' : 'exten',
    pollingId: polling ? s('innerNum') : '', exten: polling ? '' : s('innerNum'),
    maxCountChannels: s('maxCountChannels'), maxAttempt: s('maxAttempt'), tryInterval: s('tryInterval'), dialPrefix: s('dialPrefix'),
    timeStart: hhmm(s('timeStart'), 0), timeEnd: hhmm(s('timeEnd'), 1440),
    isCallback: s('isCallback') === '1', attemptUntilSignal: s('attemptUntilSignal') === '1',
    amd: (['', 'hangup', 'message'].includes(s('amd')) ? s('amd') : '') as TaskDraft['amd'],
    amdMessage: s('amdMessage'), amdMessageFile: s('amdMessageFile'), retryRules: rules, callbackUrl: s('callbackUrl'),
    state: (['0', '1', '2'].includes(s('state')) ? s('state') : '0') as TaskDraft['state'],
  };
}

const add = (errors: Errors, field: string, message: string) => errors.set(field, [...(errors.get(field) ?? []), message]);

/** An integer typed in a box, or undefined when it is not one in [min, max] (the error is recorded). */
function int(errors: Errors, field: string, text: string, min: number, max: number, required = true): number | undefined {
  const t = text.trim();
  if (t === '' && !required) return undefined;
  if (!/^[-+]?\d+$/.test(t) || Number(t) < min || Number(t) > max) {
    add(errors, field, `must be a whole number from ${min} to ${max}`);
    return undefined;
  }
  return Number(t);
}

function minutes(errors: Errors, field: string, text: string, empty: number): number {
  if (text.trim() === '') return empty;
  const m = /^(\d{1,2}):(\d{2})$/.exec(text.trim());
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) {
    add(errors, field, 'must be a time of day, HH:MM');
    return empty;
  }
  return Number(m[1]) * 60 + Number(m[2]);
}

const isHttpUrl = (v: string) => {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
};

/** The task's fields as the API takes them (numbers as JSON numbers, text as strings), and what is wrong. */
export function taskBody(d: TaskDraft): { body: Record<string, unknown>; errors: Errors } {
  const errors: Errors = new Map();
  const innerNum = (d.innerNumType === 'polling' ? d.pollingId : d.exten).trim();
  if (!innerNum) add(errors, 'innerNum', d.innerNumType === 'polling' ? 'choose the survey to run' : 'is required: the extension or queue number to connect answered calls to');
  else if (innerNum.length > 100) add(errors, 'innerNum', 'must be at most 100 characters');
  if (d.name.length > 1000) add(errors, 'name', 'must be at most 1000 characters');
  if (d.crmId.trim().length > 200) add(errors, 'crmId', 'must be at most 200 characters');
  if (!/^[0-9*#+]*$/.test(d.dialPrefix) || d.dialPrefix.length > 40) add(errors, 'dialPrefix', 'may contain only digits, *, # and + (at most 40)');
  if (d.amd === 'message' && !d.amdMessage.trim() && !d.amdMessageFile.trim()) {
    add(errors, 'amd', 'with "leave a message", a text to speak or an audio file must be set');
  }
  const url = d.callbackUrl.trim();
  if (url && (url.length > 2000 || !isHttpUrl(url))) add(errors, 'callbackUrl', 'must be an http:// or https:// URL, or empty for none');
  const retryRules: Record<string, { delay?: number; max?: number }> = {};
  for (const o of RULE_OUTCOMES) {
    const r = d.retryRules[o];
    const delay = int(errors, `retryRules.${o}.delay`, r.delay, 0, MAX_RULE_DELAY, false);
    const max = int(errors, `retryRules.${o}.max`, r.max, 0, MAX_RULE_ATTEMPTS, false);
    if (delay !== undefined || max !== undefined) retryRules[o] = { ...(delay !== undefined ? { delay } : {}), ...(max !== undefined ? { max } : {}) };
  }
  const body: Record<string, unknown> = {
    name: d.name,
    innerNumType: d.innerNumType,
    innerNum,
    maxCountChannels: int(errors, 'maxCountChannels', d.maxCountChannels, 1, 10000),
    maxAttempt: int(errors, 'maxAttempt', d.maxAttempt, 0, 1000),
    tryInterval: int(errors, 'tryInterval', d.tryInterval, 0, 30 * 86400),
    dialPrefix: d.dialPrefix,
    timeStart: minutes(errors, 'timeStart', d.timeStart, 0),
    timeEnd: minutes(errors, 'timeEnd', d.timeEnd, 1440),
    isCallback: d.isCallback ? 1 : 0,
    attemptUntilSignal: d.attemptUntilSignal ? 1 : 0,
    amd: d.amd,
    amdMessage: d.amdMessage,
    amdMessageFile: d.amdMessageFile.trim(),
    retryRules,
    callbackUrl: url,
    state: Number(d.state),
  };
  return { body, errors };
}

/** The fields of `now` that differ from `before`: a PUT leaves the rest (a pause from the list meanwhile) alone. */
export function changedFields(before: Record<string, unknown>, now: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(now).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k])));
}

export interface PastedNumbers {
  numbers: Array<string | { number: string; clientId: string }>;
  /** The textarea line (1-based) of each entry, to name it when the API refuses numbers[i]. */
  lines: number[];
}

/** One number a line, `phone[,clientId]` (`;` or a tab also separate); blank lines and a header line skipped. */
export function parsePasted(text: string): PastedNumbers {
  const out: PastedNumbers = { numbers: [], lines: [] };
  text.split(/\r?\n/).forEach((line, i) => {
    const [phone = '', clientId = ''] = line.split(/[,;\t]/).map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (!phone) return;
    if (i === 0 && !/\d/.test(phone)) return; // a header such as "phone,clientId"
    out.numbers.push(clientId ? { number: phone, clientId } : phone);
    out.lines.push(i + 1);
  });
  return out;
}
