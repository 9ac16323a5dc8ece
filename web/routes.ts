/**
 * The cockpit's views by hash path. `menu` puts a view in the header. Each view file belongs to one area of the
 * page; add new views here.
 */
import type { FunctionComponent } from 'preact';
import { AgentsView } from './views/agents.js';
import { LiveCallsView } from './views/calls.js';
import { CampaignView } from './views/campaign.js';
import { CampaignsView } from './views/campaigns.js';
import { DncView } from './views/dnc.js';
import { PollingsView } from './views/pollings.js';
import { TaskEditorView } from './views/task-editor.js';

export interface Route {
  pattern: RegExp;
  view: FunctionComponent<{ params: string[] }>;
  menu?: string;
  href?: string;
}

/** First match wins; the first route is also the fallback. Params are the pattern's groups. */
export const routes: Route[] = [
  { pattern: /^\/$/, view: CampaignsView, menu: 'Campaigns', href: '#/' },
  { pattern: /^\/campaign\/(\d+)$/, view: CampaignView },
  { pattern: /^\/calls$/, view: LiveCallsView, menu: 'Live calls', href: '#/calls' },
  { pattern: /^\/agents$/, view: AgentsView, menu: 'Agents', href: '#/agents' },
  { pattern: /^\/task\/new$/, view: TaskEditorView, menu: 'New campaign', href: '#/task/new' },
  // params: [taskId]
  { pattern: /^\/task\/(\d+)\/edit$/, view: TaskEditorView },
  // params: [] (list), ['new'] or [pollingId]
  { pattern: /^\/pollings$/, view: PollingsView, menu: 'Surveys', href: '#/pollings' },
  { pattern: /^\/polling\/(new|\d+)$/, view: PollingsView },
  { pattern: /^\/dnc$/, view: DncView, menu: 'Do not call', href: '#/dnc' },
];
