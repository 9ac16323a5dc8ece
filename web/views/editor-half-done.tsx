/**
 * A new campaign whose task was created but whose next step failed (its file refused, or starting it refused).
 * The task exists: the editor's form is replaced by this, so "Create" cannot make a second one, and the operator
 * finishes the job here (import the file again, start dialing) or goes to the campaign.
 */
import { useState } from 'preact/hooks';
import { CampaignFiles } from './campaign-files.js';
import { callV1 } from './form-api.js';
import { Notice } from './form-fields.js';

export interface HalfDone {
  id: number;
  what: string;
  messages: string[];
  /** The file was not imported: offer the import again. */
  importFailed: boolean;
  /** The operator asked for dialing; the task is still paused. */
  startWanted: boolean;
}

export function HalfDoneNotice({ h }: { h: HalfDone }) {
  const [start, setStart] = useState<{ done: boolean; errors: string[] }>({ done: false, errors: [] });
  const resume = async () => {
    const r = await callV1('PUT', `/task/${h.id}`, { state: 0 });
    setStart(r.ok ? { done: true, errors: [] } : { done: false, errors: r.messages });
  };
  return (
    <div class="half-done" data-task={h.id}>
      <Notice kind="bad" title={h.what} messages={h.messages} />
      {h.importFailed && <CampaignFiles taskId={h.id} />}
      <Notice kind="bad" messages={start.errors} />
      <div class="actions">
        {h.startWanted && !start.done && <button type="button" class="start" onClick={() => void resume()}>Start dialing</button>}
        {start.done && <span class="started">Dialing.</span>}
        <a href={`#/campaign/${h.id}`}>Open the campaign</a>
        <a href={`#/task/${h.id}/edit`}>Edit the task</a>
      </div>
    </div>
  );
}
