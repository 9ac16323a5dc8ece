/** /bridges and /playbacks */
import type { SimChannel } from '../channel.js';
import type { SimContext } from '../context.js';
import { AriError } from '../errors.js';
import { noContent, ok, params, route, type RouteDef } from './types.js';

function channelsOf(ctx: SimContext, list: string | undefined): SimChannel[] {
  const ids = (list ?? '').split(',').filter(Boolean);
  if (ids.length === 0) throw new AriError(400, 'Missing parameter channel');
  return ids.map((id) => {
    const ch = ctx.engine.channels.get(id);
    if (!ch) throw new AriError(400, 'Channel not found');
    return ch;
  });
}

const B = 'bridges';
export const bridgeRoutes: RouteDef[] = [
  route(B, 'GET', '/bridges', 'list', 'List[Bridge]', [], (ctx) => ok([...ctx.bridges.byId.values()].map((b) => ctx.bridges.json(b)))),
  route(B, 'POST', '/bridges', 'create', 'Bridge', params('type', 'bridgeId', 'name'), (ctx, i) =>
    ok(ctx.bridges.json(ctx.bridges.create(i.query.type, i.query.bridgeId, i.query.name)))),
  route(B, 'POST', '/bridges/{bridgeId}', 'createWithId', 'Bridge', params('type', 'name'), (ctx, i) =>
    ok(ctx.bridges.json(ctx.bridges.create(i.query.type, i.path.bridgeId, i.query.name)))),
  route(B, 'GET', '/bridges/{bridgeId}', 'get', 'Bridge', [], (ctx, i) => ok(ctx.bridges.json(ctx.bridges.get(i.path.bridgeId!)))),
  route(B, 'DELETE', '/bridges/{bridgeId}', 'destroy', 'void', [], (ctx, i) => {
    ctx.bridges.destroy(ctx.bridges.get(i.path.bridgeId!));
    return noContent();
  }),
  route(B, 'POST', '/bridges/{bridgeId}/addChannel', 'addChannel', 'void', params('channel!*', 'role', 'absorbDTMF', 'mute', 'inhibitConnectedLineUpdates'),
    (ctx, i) => {
      const b = ctx.bridges.get(i.path.bridgeId!);
      ctx.bridges.add(b, channelsOf(ctx, i.query.channel));
      return noContent();
    }),
  route(B, 'POST', '/bridges/{bridgeId}/removeChannel', 'removeChannel', 'void', params('channel!*'), (ctx, i) => {
    const b = ctx.bridges.get(i.path.bridgeId!);
    ctx.bridges.remove(b, channelsOf(ctx, i.query.channel));
    return noContent();
  }),
  route(B, 'POST', '/bridges/{bridgeId}/moh', 'startMoh', 'void', params('mohClass'), (ctx, i) => (ctx.bridges.get(i.path.bridgeId!), noContent())),
  route(B, 'DELETE', '/bridges/{bridgeId}/moh', 'stopMoh', 'void', [], (ctx, i) => (ctx.bridges.get(i.path.bridgeId!), noContent())),
];

const P = 'playbacks';
export const playbackRoutes: RouteDef[] = [
  route(P, 'GET', '/playbacks/{playbackId}', 'get', 'Playback', [], (ctx, i) => ok(ctx.playbacks.json(ctx.playbacks.get(i.path.playbackId!)))),
  route(P, 'DELETE', '/playbacks/{playbackId}', 'stop', 'void', [], (ctx, i) => {
    ctx.playbacks.stop(i.path.playbackId!);
    return noContent();
  }),
  route(P, 'POST', '/playbacks/{playbackId}/control', 'control', 'void', params('operation!'), (ctx, i) => {
    ctx.playbacks.get(i.path.playbackId!);
    return noContent();
  }),
];
