/**
 * "▶ preview": the text voiced by the configured engine (POST /cockpit/api/tts-preview), played in an <audio>
 * element, so the operator hears a prompt before any customer does. 503: no engine is configured.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { TtsPreviewRequest } from '../../src/web/api-types.js';

export function TtsPreview({ text, lang }: { text: string; lang: string }) {
  const [src, setSrc] = useState('');
  const [state, setState] = useState<{ busy: boolean; error: string }>({ busy: false, error: '' });
  const player = useRef<HTMLAudioElement>(null);

  // the wav is held as a blob URL: released when replaced or when the question goes away
  useEffect(() => () => void (src && URL.revokeObjectURL(src)), [src]);
  useEffect(() => {
    if (src) void player.current?.play().catch(() => undefined); // autoplay may be refused; the controls remain
  }, [src]);

  const preview = async () => {
    if (!text.trim()) return setState({ busy: false, error: 'type a text first' });
    setState({ busy: true, error: '' });
    const body: TtsPreviewRequest = { text, lang };
    let r: Response;
    try {
      r = await fetch('/cockpit/api/tts-preview', { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    } catch (e) {
      return setState({ busy: false, error: `the service did not answer (${(e as Error).message})` });
    }
    if (!r.ok) {
      const j = (await r.json().catch(() => undefined)) as { error?: string } | undefined;
      const error = r.status === 503 ? 'no TTS engine configured' : (j?.error ?? (r.status === 404 ? 'this service has no TTS preview (404)' : `HTTP ${r.status}`));
      return setState({ busy: false, error });
    }
    setSrc(URL.createObjectURL(await r.blob()));
    setState({ busy: false, error: '' });
  };

  return (
    <span class="tts-preview">
      <button type="button" class="preview" disabled={state.busy} onClick={() => void preview()}>{state.busy ? '…' : '▶ preview'}</button>
      {state.error && <span class="field-err"> {state.error}</span>}
      {src && <audio ref={player} controls src={src} />}
    </span>
  );
}
