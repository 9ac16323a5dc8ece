/**
 * How a scenario is written down: plain data that a runner plays step by step against any ARI backend.
 *
 * Names in `{braces}` inside a path (and the `ch`/`endpoint` labels) are scoped by the runner to ids unique to
 * one run of one scenario, so every event can be traced back to its scenario and label without ids in the
 * comparison. `{app}` is the Stasis application. The ;2 half of an originated Local channel is `<label>;2`; Dial
 * events of a dial the dialplan runs on behalf of a labelled channel (the outbound route, the queue) are
 * collected under `<label>>dial`; DeviceStateChanged events under `dev:<device>`.
 */

export type Step =
  /** POST /channels (originate) with channelId = label, app, callerId and `timeout` seconds (default 20). */
  | { op: 'originate'; ch: string; endpoint: string; timeout?: number }
  /** POST /channels/create with channelId = label. */
  | { op: 'create'; ch: string; endpoint: string }
  /** POST /channels/{ch}/dial with `timeout` seconds (default 20). */
  | { op: 'dial'; ch: string; timeout?: number }
  /** DELETE /channels/{ch}. */
  | { op: 'hangup'; ch: string }
  /** Any ARI request; `pick` names top-level body fields whose values are part of the outcome. */
  | { op: 'request'; method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; pick?: string[] }
  /** Wait until an event whose description starts with `event` arrived under `label`. */
  | { op: 'await'; label: string; event: string };

export interface Scenario {
  name: string;
  /** Key in test/sim/fixtures/recorded-*.json when this scenario is re-recorded by `npm run fixtures:refresh`. */
  fixture?: string;
  /**
   * Runs alone, after the concurrent ones: it changes or reads shared state (agents, queues, device states)
   * that other scenarios would disturb.
   */
  exclusive?: boolean;
  /** Devices whose DeviceStateChanged events belong to this scenario. */
  devices?: string[];
  steps: Step[];
}

export const originate = (ch: string, endpoint: string, timeout?: number): Step => ({ op: 'originate', ch, endpoint, timeout });
export const create = (ch: string, endpoint: string): Step => ({ op: 'create', ch, endpoint });
export const dial = (ch: string, timeout?: number): Step => ({ op: 'dial', ch, timeout });
export const hangup = (ch: string): Step => ({ op: 'hangup', ch });
export const awaitEvent = (label: string, event: string): Step => ({ op: 'await', label, event });
export const get = (path: string, ...pick: string[]): Step => ({ op: 'request', method: 'GET', path, pick });
export const post = (path: string, ...pick: string[]): Step => ({ op: 'request', method: 'POST', path, pick });
export const put = (path: string): Step => ({ op: 'request', method: 'PUT', path });
export const del = (path: string): Step => ({ op: 'request', method: 'DELETE', path });
/** Read a variable or dialplan function on a channel: the status and the value are the outcome. */
export const readVar = (ch: string, variable: string): Step => get(`/channels/{${ch}}/variable?variable=${variable}`, 'value');
