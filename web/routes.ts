/**
 * The cockpit's views by hash path. `menu` puts a view in the header. Each view file belongs to one area of the
 * page; add new views here.
 */
import type { FunctionComponent } from 'preact';
import { CampaignsView } from './views/campaigns.js';

export interface Route {
  pattern: RegExp;
  view: FunctionComponent<{ params: string[] }>;
  menu?: string;
  href?: string;
}

export const routes: Route[] = [
  { pattern: /^\/$/, view: CampaignsView, menu: 'Campaigns', href: '#/' },
];
