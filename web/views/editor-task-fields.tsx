/**
 * The task editor's fields, grouped as an operator thinks of them: what to call and whom to connect, how hard to
 * dial, when, what to do with answering machines, retries, the webhook. Pure presentation: the draft and its
 * errors come from task-editor.tsx.
 */
import { checkedOf, Field, valueOf } from './form-fields.js';
import { RetryRulesTable } from './editor-retry-rules.js';
import type { Errors, TaskDraft } from './editor-task-model.js';

export interface PollingRow {
  id: string;
  crmId: string;
  name: string;
}
export interface AudioRow {
  id: string;
  name: string;
  path: string;
}

interface Props {
  d: TaskDraft;
  set: (patch: Partial<TaskDraft>) => void;
  errors: Errors;
  isNew: boolean;
  pollings: PollingRow[];
  audio: AudioRow[];
}

export function TaskFields({ d, set, errors, isNew, pollings, audio }: Props) {
  const e = (k: string) => errors.get(k);
  const rulesSet = Object.values(d.retryRules).filter((r) => r.delay.trim() || r.max.trim()).length;
  const ruleErrors = [...errors.keys()].some((k) => k.startsWith('retryRules'));
  const text = (k: keyof TaskDraft) => ({ name: k, value: d[k] as string, onInput: (ev: Event) => set({ [k]: valueOf(ev) }) });
  return (
    <>
      <fieldset>
        <legend>Campaign</legend>
        <div class="row">
          <Field label="Name" name="name" errors={e('name')}><input {...text('name')} /></Field>
          {isNew && (
            <Field label="CRM id (optional)" name="crmId" errors={e('crmId')} hint="empty = the task's id">
              <input {...text('crmId')} />
            </Field>
          )}
        </div>
        <div class="row">
          <Field label="Answered calls go to" name="innerNumType" errors={e('innerNumType')}>
            <select name="innerNumType" value={d.innerNumType} onChange={(ev) => set({ innerNumType: valueOf(ev) as TaskDraft['innerNumType'] })}>
              <option value="polling">a survey</option>
              <option value="exten">an extension or a queue</option>
            </select>
          </Field>
          {d.innerNumType === 'polling' ? (
            <Field label="Survey" name="innerNum" errors={e('innerNum')}>
              <select name="pollingId" value={d.pollingId} onChange={(ev) => set({ pollingId: valueOf(ev) })}>
                <option value="">— choose —</option>
                {pollings.map((p) => <option value={p.id}>{p.name || `survey ${p.crmId}`} (#{p.id})</option>)}
                {d.pollingId && !pollings.some((p) => p.id === d.pollingId) && <option value={d.pollingId}>#{d.pollingId} (not found)</option>}
              </select>
            </Field>
          ) : (
            <Field label="Extension or queue number" name="innerNum" errors={e('innerNum')}>
              <input name="exten" value={d.exten} onInput={(ev) => set({ exten: valueOf(ev) })} />
            </Field>
          )}
          {d.innerNumType === 'exten' && (
            <Field label="Callback mode" name="isCallback" errors={e('isCallback')} hint="call the agent first, then the customer">
              <input type="checkbox" name="isCallback" checked={d.isCallback} onChange={(ev) => set({ isCallback: checkedOf(ev) })} />
            </Field>
          )}
        </div>
      </fieldset>

      <fieldset>
        <legend>Dialing</legend>
        <div class="row">
          <Field label="Channels at once" name="maxCountChannels" errors={e('maxCountChannels')}><input inputMode="numeric" {...text('maxCountChannels')} /></Field>
          <Field label="Attempts per number" name="maxAttempt" errors={e('maxAttempt')} hint="0 or 1 = no retry"><input inputMode="numeric" {...text('maxAttempt')} /></Field>
          <Field label="Retry after (seconds)" name="tryInterval" errors={e('tryInterval')}><input inputMode="numeric" {...text('tryInterval')} /></Field>
          <Field label="Dial prefix" name="dialPrefix" errors={e('dialPrefix')} hint="picks the outbound route"><input {...text('dialPrefix')} /></Field>
        </div>
        <div class="row">
          <Field label="Dial from" name="timeStart" errors={e('timeStart')} hint="empty = 00:00"><input type="time" {...text('timeStart')} /></Field>
          <Field label="Dial until" name="timeEnd" errors={e('timeEnd')} hint="empty = end of day; may cross midnight"><input type="time" {...text('timeEnd')} /></Field>
          <Field label="Retry until signalled" name="attemptUntilSignal" errors={e('attemptUntilSignal')} hint="retry even successes until task-signal-close">
            <input type="checkbox" name="attemptUntilSignal" checked={d.attemptUntilSignal} onChange={(ev) => set({ attemptUntilSignal: checkedOf(ev) })} />
          </Field>
        </div>
      </fieldset>

      <fieldset>
        <legend>Answering machines</legend>
        <div class="row">
          <Field label="Detection" name="amd" errors={e('amd')}>
            <select name="amd" value={d.amd} onChange={(ev) => set({ amd: valueOf(ev) as TaskDraft['amd'] })}>
              <option value="">off</option>
              <option value="hangup">hang up on a machine</option>
              <option value="message">leave a message</option>
            </select>
          </Field>
          {d.amd === 'message' && (
            <>
              <Field label="Message (spoken)" name="amdMessage" errors={e('amdMessage')}><input {...text('amdMessage')} /></Field>
              <Field label="…or an uploaded audio file" name="amdMessageFile" errors={e('amdMessageFile')}>
                <select name="amdMessageFile" value={d.amdMessageFile} onChange={(ev) => set({ amdMessageFile: valueOf(ev) })}>
                  <option value="">— none —</option>
                  {audio.map((a) => <option value={a.path}>{a.name}</option>)}
                  {d.amdMessageFile && !audio.some((a) => a.path === d.amdMessageFile) && <option value={d.amdMessageFile}>{d.amdMessageFile}</option>}
                </select>
              </Field>
            </>
          )}
        </div>
      </fieldset>

      <fieldset>
        <legend>Retry rules by outcome</legend>
        {/* closed unless rules are set or wrong: most campaigns keep the task's retry / attempts above */}
        <details open={rulesSet > 0 || ruleErrors}>
          <summary>{rulesSet ? `${rulesSet} outcome(s) with their own rule` : 'none: every outcome retries as set above'}</summary>
          <RetryRulesTable rules={d.retryRules} errors={errors} onChange={(o, r) => set({ retryRules: { ...d.retryRules, [o]: r } })} />
        </details>
        {e('retryRules')?.map((m) => <span class="field-err">{m}</span>)}
      </fieldset>

      <fieldset>
        <legend>Webhook and state</legend>
        <div class="row">
          <Field label="Callback URL" name="callbackUrl" errors={e('callbackUrl')} hint="call results and state changes are POSTed here"><input type="url" {...text('callbackUrl')} /></Field>
          <Field label="State" name="state" errors={e('state')}>
            <select name="state" value={d.state} onChange={(ev) => set({ state: valueOf(ev) as TaskDraft['state'] })}>
              <option value="0">start dialing</option>
              <option value="2">paused</option>
              {!isNew && <option value="1">closed</option>}
            </select>
          </Field>
        </div>
      </fieldset>
    </>
  );
}
