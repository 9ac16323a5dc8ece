/**
 * Surveys: #/pollings lists them, #/polling/new and #/polling/<id> edit one (polling-editor.tsx). The editor is
 * keyed by its id, so moving from one survey to another starts from that survey's saved state.
 */
import { PollingEditor } from './polling-editor.js';
import { PollingList } from './polling-list.js';

export function PollingsView({ params }: { params: string[] }) {
  const which = params[0];
  if (!which) return <PollingList />;
  return which === 'new' ? <PollingEditor key="new" /> : <PollingEditor key={which} id={which} />;
}
