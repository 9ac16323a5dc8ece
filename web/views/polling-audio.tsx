/**
 * Choose an uploaded audio file, or upload one (POST /audio, multipart) and choose it. A question's file is the
 * path POST /audio answers (`data.filename`, the converted 8 kHz wav), as the original's clients send it.
 */
import { useState } from 'preact/hooks';
import { callV1 } from './form-api.js';
import { valueOf } from './form-fields.js';
import type { AudioRow } from './editor-task-fields.js';

export function AudioPicker({ name, value, audio, onChange, onUploaded }: { name: string; value: string; audio: AudioRow[]; onChange: (path: string) => void; onUploaded: () => void }) {
  const [state, setState] = useState<{ busy: boolean; error: string }>({ busy: false, error: '' });

  const upload = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    setState({ busy: true, error: '' });
    const form = new FormData();
    form.append('file', file, file.name);
    const r = await callV1<{ filename: string }>('POST', '/audio', form);
    input.value = '';
    if (!r.ok) return setState({ busy: false, error: `${file.name} was not uploaded: ${r.messages.join(' ')}` });
    setState({ busy: false, error: '' });
    onUploaded();
    onChange(r.data.filename);
  };

  const known = audio.some((a) => a.path === value);
  return (
    <span class="audio-picker">
      <select name={name} value={value} onChange={(e) => onChange(valueOf(e))}>
        <option value="">— no file: speak the text —</option>
        {audio.map((a) => <option value={a.path}>{a.name}</option>)}
        {value && !known && <option value={value}>{value}</option>}
      </select>{' '}
      <label class="hint">
        upload: <input type="file" name={`${name}-upload`} accept="audio/*,.mp3,.wav,.ogg,.flac,.m4a" disabled={state.busy} onChange={(e) => void upload(e.currentTarget as HTMLInputElement)} />
      </label>
      {state.busy && <span class="hint"> uploading…</span>}
      {state.error && <span class="field-err"> {state.error}</span>}
    </span>
  );
}
