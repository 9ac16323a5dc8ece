/**
 * One campaign (task) as the cockpit shows it: what waits, what rings, what is done and how it ended. Types only
 * here: the page's type check (tsconfig.web.json) reads this file through api-types.ts and knows no Node APIs; the
 * summaries are made in campaign-summaries.ts.
 */
export interface CampaignSummary {
  id: number;
  crmId: string;
  name: string;
  state: number; // 0 dialing, 1 closed, 2 paused
  innerNumType: string;
  innerNum: string;
  maxCountChannels: number;
  /** Open attempt rows not dialed yet (now or at a later retry time). */
  waiting: number;
  /** Calls up now (on any node). */
  inCall: number;
  /** Attempt rows with a result. */
  done: number;
  /** Of those, how many the customer answered. */
  answered: number;
  /** Results by code, e.g. { SUCCESS_POLLING: 12, FAIL: 3 }. */
  results: Record<string, number>;
}
