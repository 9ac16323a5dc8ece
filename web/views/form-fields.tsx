/** The pieces every editor's form is made of: a labelled field with its errors, and a list of messages. */
import type { ComponentChildren } from 'preact';

/** A labelled control; `errors` (the form's or the API's, naming this field) are shown under it. */
export function Field({ label, errors, hint, name, children }: { label: string; errors?: string[]; hint?: string; name?: string; children: ComponentChildren }) {
  const bad = !!errors?.length;
  return (
    <label class={bad ? 'field bad' : 'field'} data-field={name}>
      <span>{label}</span>
      {children}
      {hint && <span class="hint">{hint}</span>}
      {errors?.map((e) => <span class="field-err">{e}</span>)}
    </label>
  );
}

/** Messages above a form: what the API refused without naming a field, or a save's warnings. */
export function Notice({ kind, title, messages, children }: { kind: 'ok' | 'bad'; title?: string; messages?: string[]; children?: ComponentChildren }) {
  if (!title && !messages?.length && !children) return null;
  return (
    <div class={kind === 'bad' ? 'notice bad' : 'notice'} role={kind === 'bad' ? 'alert' : 'status'}>
      {title && <b>{title}</b>}
      {children}
      {!!messages?.length && (
        <ul>
          {messages.map((m) => <li>{m}</li>)}
        </ul>
      )}
    </div>
  );
}

/** An input's text value from its event (Preact hands the event, not the value). */
export const valueOf = (e: Event) => (e.currentTarget as HTMLInputElement).value;
export const checkedOf = (e: Event) => (e.currentTarget as HTMLInputElement).checked;

/** After a refused save: the first field in error scrolled into view (long forms: it may be far below). */
export function revealFirstError(): void {
  requestAnimationFrame(() => (document.querySelector('.field.bad, .field-err') ?? document.querySelector('.notice.bad'))?.scrollIntoView({ block: 'center' }));
}
