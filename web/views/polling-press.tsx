/**
 * A question's keys: which key does what (docs/survey.md's actions) and where the survey goes next. The value
 * column changes with the action: an extension for dial, a text or a file for playback, the spoken prompt and
 * the answer window for playback_record, the reply template for send_crm.
 */
import { checkedOf, valueOf } from './form-fields.js';
import type { AudioRow } from './editor-task-fields.js';
import { ACTION_LABEL, ACTIONS, newPress, type Action, type Errors, type PressDraft } from './polling-model.js';

interface Props {
  at: string;
  press: PressDraft[];
  targets: string[];
  audio: AudioRow[];
  errors: Errors;
  onChange: (press: PressDraft[]) => void;
}

/** Where to go after a key: a question of this survey, or (empty) the question's own next / the end. */
export function TargetSelect({ name, value, targets, empty, onChange }: { name: string; value: string; targets: string[]; empty: string; onChange: (v: string) => void }) {
  return (
    <select name={name} value={value} onChange={(e) => onChange(valueOf(e))}>
      <option value="">{empty}</option>
      {targets.map((t) => <option value={t}>{t}</option>)}
      {value && !targets.includes(value) && <option value={value}>{value} (missing)</option>}
    </select>
  );
}

function ValueCell({ p, name, audio, set }: { p: PressDraft; name: string; audio: AudioRow[]; set: (patch: Partial<PressDraft>) => void }) {
  const value = <input name={`${name}.value`} value={p.value} onInput={(e) => set({ value: valueOf(e) })} placeholder={p.action === 'dial' ? 'extension' : p.action === 'answer' ? 'stored answer (default: -)' : 'text'} />;
  if (p.action === 'playback') {
    const file = p.valueOptions === 'file';
    return (
      <>
        <select name={`${name}.valueOptions`} value={file ? 'file' : 'text'} onChange={(e) => set({ valueOptions: valueOf(e), value: '' })}>
          <option value="text">speak a text</option>
          <option value="file">play a file</option>
        </select>
        {file ? (
          <select name={`${name}.value`} value={p.value} onChange={(e) => set({ value: valueOf(e) })}>
            <option value="">— choose an uploaded file —</option>
            {audio.map((a) => <option value={a.path}>{a.name}</option>)}
            {p.value && !audio.some((a) => a.path === p.value) && <option value={p.value}>{p.value}</option>}
          </select>
        ) : value}
      </>
    );
  }
  if (p.action === 'playback_record') {
    return (
      <>
        <input name={`${name}.value`} value={p.value} onInput={(e) => set({ value: valueOf(e) })} placeholder="prompt spoken before recording" />
        <input name={`${name}.valueOptions`} value={p.valueOptions} onInput={(e) => set({ valueOptions: valueOf(e) })} placeholder="answer window, s (20)" />
        <label class="hint"><input type="checkbox" checked={p.needRecognize} onChange={(e) => set({ needRecognize: checkedOf(e) })} /> recognise speech</label>
        <input name={`${name}.recognizeLabel`} value={p.recognizeLabel} onInput={(e) => set({ recognizeLabel: valueOf(e) })} placeholder="label read back by confirmation" />
      </>
    );
  }
  if (p.action === 'send_crm') {
    return <input name={`${name}.crmResponseTemplate`} value={p.crmResponseTemplate} onInput={(e) => set({ crmResponseTemplate: valueOf(e) })} placeholder="reply template, e.g. Your number is <result>" />;
  }
  if (p.action === 'restart') return <span class="hint">goes to the question chosen → (else the first)</span>;
  return value;
}

export function PressTable({ at, press, targets, audio, errors, onChange }: Props) {
  const set = (j: number, patch: Partial<PressDraft>) => onChange(press.map((p, k) => (k === j ? { ...p, ...patch } : p)));
  return (
    <table class="compact presses">
      <thead>
        <tr><th style={{ width: '60px' }}>key</th><th>action</th><th>value</th><th>then go to</th><th /></tr>
      </thead>
      <tbody>
        {press.map((p, j) => {
          const name = `${at}.press[${j}]`;
          const errs = [...errors]
            .filter(([k]) => k === name || k.startsWith(`${name}.`))
            .flatMap(([k, ms]) => ms.map((m) => (k === name ? m : `${k.slice(name.length + 1)} ${m}`)));
          return (
            <tr key={p.uid} data-press={j}>
              <td><input name={`${name}.key`} value={p.key} onInput={(e) => set(j, { key: valueOf(e) })} /></td>
              <td>
                <select name={`${name}.action`} value={p.action} onChange={(e) => set(j, { action: valueOf(e) as Action, valueOptions: '' })}>
                  {ACTIONS.map((a) => <option value={a}>{ACTION_LABEL[a]}</option>)}
                </select>
              </td>
              <td>
                <ValueCell p={p} name={name} audio={audio} set={(patch) => set(j, patch)} />
                {errs.map((m) => <div class="field-err">{m}</div>)}
              </td>
              <td>
                {p.action === 'dial' || p.action === 'send_crm' ? (
                  <span class="hint">ends the survey</span>
                ) : (
                  <TargetSelect name={`${name}.nextQuestion`} value={p.nextQuestion} targets={targets} empty="the question's next" onChange={(v) => set(j, { nextQuestion: v })} />
                )}
              </td>
              <td><button type="button" title="remove this key" onClick={() => onChange(press.filter((_, k) => k !== j))}>✕</button></td>
            </tr>
          );
        })}
        <tr>
          <td colSpan={5}>
            <button type="button" class="add-key" onClick={() => onChange([...press, newPress()])}>+ key</button>
          </td>
        </tr>
      </tbody>
    </table>
  );
}
