/**
 * Stasis applications and event delivery. An event names its sources ("channel:X", "bridge:Y",
 * "deviceState:Z"); every app subscribed to one of them (or started with subscribeAll) gets its own
 * copy with `application` set, exactly as Asterisk fans events out per app.
 */
import type { WebSocket } from 'ws';

export const ASTERISK_ID = '02:fc:00:00:00:01';

export interface SimApp {
  name: string;
  subscriptions: Set<string>;
  sockets: Set<WebSocket>;
  subscribeAll: boolean;
  /** PUT /applications/{app}/eventFilter: event types let through (empty = all) and kept back. */
  allowed: Set<string>;
  disallowed: Set<string>;
}

export type SimEvent = Record<string, unknown> & { type: string };
export type EventTap = (event: SimEvent, app: string) => void;

export function asteriskTime(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export class EventBus {
  readonly apps = new Map<string, SimApp>();
  private taps = new Set<EventTap>();
  /** Total events delivered to sockets (for the load benchmark). */
  delivered = 0;

  app(name: string): SimApp {
    let a = this.apps.get(name);
    if (!a) {
      a = { name, subscriptions: new Set(), sockets: new Set(), subscribeAll: false, allowed: new Set(), disallowed: new Set() };
      this.apps.set(name, a);
    }
    return a;
  }

  /** An app is "registered" while at least one WebSocket carries it. */
  isRegistered(name: string): boolean {
    return (this.apps.get(name)?.sockets.size ?? 0) > 0;
  }

  subscribe(app: string, source: string): void {
    this.app(app).subscriptions.add(source);
  }

  unsubscribe(app: string, source: string): void {
    this.apps.get(app)?.subscriptions.delete(source);
  }

  /** A channel or bridge is gone for good: forget it in every app so long runs do not grow. */
  forget(source: string): void {
    for (const app of this.apps.values()) app.subscriptions.delete(source);
  }

  /** Observe every event as delivered to each app (tests, call log, debugging). */
  tap(fn: EventTap): () => void {
    this.taps.add(fn);
    return () => this.taps.delete(fn);
  }

  emit(body: SimEvent, sources: string[]): void {
    const timestamp = asteriskTime();
    for (const app of this.apps.values()) {
      if (!app.subscribeAll && !sources.some((s) => app.subscriptions.has(s))) continue;
      if (app.disallowed.has(body.type) || (app.allowed.size > 0 && !app.allowed.has(body.type))) continue;
      const event = { ...body, timestamp, asterisk_id: ASTERISK_ID, application: app.name };
      for (const tap of this.taps) tap(event, app.name);
      if (app.sockets.size === 0) continue;
      const text = JSON.stringify(event);
      for (const ws of app.sockets) {
        if (ws.readyState === 1) {
          ws.send(text);
          this.delivered++;
        }
      }
    }
  }
}
