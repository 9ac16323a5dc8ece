/** ARI bridges: mixing (simple_bridge for ≤2 parties, softmix beyond) and holding. */
import type { SimChannel } from './channel.js';
import type { Engine } from './engine.js';
import { AriError } from './errors.js';
import { asteriskTime } from './events.js';

export interface SimBridge {
  id: string;
  type: 'mixing' | 'holding';
  name: string;
  channels: string[];
  creationtime: string;
  /**
   * Why an app hears BridgeDestroyed: Asterisk subscribes the app when one of its channels enters and
   * unsubscribes when that channel is removed (removeChannel, bridge deleted), but not when it leaves by hanging
   * up. So a bridge emptied with removeChannel, or deleted with channels in it, dies silently (measured on 22.10.1).
   */
  appRefs: Map<string, number>;
}

export class Bridges {
  readonly byId = new Map<string, SimBridge>();

  constructor(private readonly engine: Engine) {
    engine.channelGoneHooks.push((ch) => {
      if (ch.bridgeId) this.leave(ch, false);
    });
  }

  json(b: SimBridge): Record<string, unknown> {
    const technology = b.type === 'holding' ? 'holding_bridge' : b.channels.length > 2 ? 'softmix' : 'simple_bridge';
    return {
      id: b.id, technology, bridge_type: b.type, bridge_class: 'stasis', creator: 'Stasis', name: b.name,
      channels: [...b.channels], creationtime: b.creationtime, video_mode: 'talker',
    };
  }

  create(type: string | undefined, bridgeId: string | undefined, name: string | undefined): SimBridge {
    const types = (type ?? 'mixing').split(',');
    const kind = types.includes('holding') ? 'holding' : 'mixing';
    const id = bridgeId || this.engine.uniqueId().replace('.', '') + 'b';
    const existing = this.byId.get(id);
    if (existing) return existing;
    const b: SimBridge = { id, type: kind, name: name ?? '', channels: [], creationtime: asteriskTime(), appRefs: new Map() };
    this.byId.set(id, b);
    return b;
  }

  get(id: string): SimBridge {
    const b = this.byId.get(id);
    if (!b) throw new AriError(404, 'Bridge not found');
    return b;
  }

  add(b: SimBridge, channels: SimChannel[]): void {
    for (const ch of channels) if (!ch.stasisApp) throw new AriError(422, 'Channel not in Stasis application');
    for (const ch of channels) {
      if (ch.bridgeId === b.id) continue;
      if (ch.bridgeId) this.leave(ch);
      b.channels.push(ch.id);
      ch.bridgeId = b.id;
      if (ch.stasisApp) {
        b.appRefs.set(ch.stasisApp, (b.appRefs.get(ch.stasisApp) ?? 0) + 1);
        this.engine.bus.subscribe(ch.stasisApp, `bridge:${b.id}`);
      }
      this.engine.bus.emit({ type: 'ChannelEnteredBridge', bridge: this.json(b), channel: ch.toJSON() }, [
        `bridge:${b.id}`, `channel:${ch.id}`,
      ]);
    }
  }

  remove(b: SimBridge, channels: SimChannel[]): void {
    for (const ch of channels) if (ch.bridgeId !== b.id) throw new AriError(422, 'Channel not in this bridge');
    for (const ch of channels) this.leave(ch);
  }

  /** `removed`: taken out by the app (removeChannel, bridge deleted) rather than gone by hanging up. */
  leave(ch: SimChannel, removed = true): void {
    const b = ch.bridgeId ? this.byId.get(ch.bridgeId) : undefined;
    ch.bridgeId = undefined;
    if (!b) return;
    b.channels = b.channels.filter((id) => id !== ch.id);
    this.engine.bus.emit({ type: 'ChannelLeftBridge', bridge: this.json(b), channel: ch.toJSON() }, [
      `bridge:${b.id}`, `channel:${ch.id}`,
    ]);
    const app = ch.stasisApp;
    if (!removed || !app) return;
    const left = (b.appRefs.get(app) ?? 1) - 1;
    if (left > 0) return void b.appRefs.set(app, left);
    b.appRefs.delete(app);
    this.engine.bus.unsubscribe(app, `bridge:${b.id}`);
  }

  destroy(b: SimBridge): void {
    for (const id of [...b.channels]) {
      const ch = this.engine.channels.get(id);
      if (ch) this.leave(ch);
    }
    this.byId.delete(b.id);
    this.engine.bus.emit({ type: 'BridgeDestroyed', bridge: this.json(b) }, [`bridge:${b.id}`]);
    this.engine.bus.forget(`bridge:${b.id}`);
  }
}
