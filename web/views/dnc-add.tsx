/**
 * Add numbers to the do-not-call list (POST /dnc): the global list, or one task's. All valid or nothing is
 * written; the API names each bad number (numbers[i]), shown here as the line it was typed on.
 */
import { useState } from 'preact/hooks';
import { byField, callV1 } from './form-api.js';
import { Field, Notice, valueOf } from './form-fields.js';

export function DncAdd({ onAdded }: { onAdded: () => void }) {
  const [numbers, setNumbers] = useState('');
  const [taskId, setTaskId] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<Map<string, string[]>>(new Map());
  const [done, setDone] = useState('');

  const submit = async (ev: Event) => {
    ev.preventDefault();
    setDone('');
    const lines: number[] = [];
    const list: string[] = [];
    numbers.split(/\r?\n/).forEach((l, i) => l.trim() && (list.push(l.trim()), lines.push(i + 1)));
    const found = new Map<string, string[]>();
    if (!list.length) found.set('numbers', ['type at least one number']);
    if (taskId.trim() && !/^\d+$/.test(taskId.trim())) found.set('taskId', ['must be a task id (digits), or empty for the global list']);
    if (reason.length > 200) found.set('reason', ['must be at most 200 characters']);
    setErrors(found);
    if (found.size) return;
    const r = await callV1<{ taskId: number; added: number; alreadyListed: number }>('POST', '/dnc', { numbers: list, taskId: taskId.trim() ? Number(taskId) : 0, reason });
    if (!r.ok) {
      const fields = new Map<string, string[]>();
      for (const [f, ms] of byField(r.messages)) {
        const n = /^numbers\[(\d+)\]$/.exec(f);
        // taskId and reason have their own boxes; everything else is about the numbers
        const key = f === 'taskId' || f === 'reason' ? f : 'numbers';
        fields.set(key, [...(fields.get(key) ?? []), ...ms.map((m) => (n ? `line ${lines[Number(n[1])]}: ${m}` : m))]);
      }
      return setErrors(fields);
    }
    setDone(`${r.data.added} added, ${r.data.alreadyListed} already listed (${r.data.taskId ? `task #${r.data.taskId}` : 'global list'}).`);
    setNumbers('');
    onAdded();
  };

  return (
    <form class="form" id="dnc-add" noValidate onSubmit={submit}>
      <b>Add numbers</b>
      <div class="row">
        <Field label="Numbers, one per line" name="numbers" errors={errors.get('numbers')}>
          <textarea name="numbers" rows={3} value={numbers} onInput={(e) => setNumbers(valueOf(e))} />
        </Field>
        <Field label="Task id" name="taskId" errors={errors.get('taskId')} hint="empty = the global list (no task calls them)">
          <input name="taskId" inputMode="numeric" value={taskId} onInput={(e) => setTaskId(valueOf(e))} />
        </Field>
        <Field label="Reason" name="reason" errors={errors.get('reason')}>
          <input name="reason" value={reason} onInput={(e) => setReason(valueOf(e))} />
        </Field>
      </div>
      <div class="actions">
        <button type="submit">Add</button>
        {done && <Notice kind="ok"><span class="dnc-added">{done}</span></Notice>}
      </div>
    </form>
  );
}
