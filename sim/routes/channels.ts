/** /channels: originate, create + dial, hangup, answer, play, variables, continue, dtmf, moh … */
import type { SimChannel } from '../channel.js';
import { createChannel, dialChannel, hangupChannel, hangupReasonCause, originate, type OriginateParams } from '../calls.js';
import type { SimContext } from '../context.js';
import { AriError, channelNotFound } from '../errors.js';
import { legOf } from '../leg.js';
import { readChannelVar, setChannelVar } from '../variables.js';
import { noContent, ok, params, route, type HandlerInput, type RouteDef } from './types.js';

const R = 'channels';

function chan(ctx: SimContext, id: string | undefined): SimChannel {
  const ch = id ? ctx.engine.channels.get(id) : undefined;
  if (!ch) throw channelNotFound();
  return ch;
}

function inStasis(ctx: SimContext, id: string | undefined): SimChannel {
  const ch = chan(ctx, id);
  if (!ch.stasisApp) throw new AriError(409, 'Channel not in Stasis application');
  return ch;
}

function originateParams(i: HandlerInput): OriginateParams {
  const vars = (i.body?.variables ?? i.body) as Record<string, string> | undefined;
  const q = i.query;
  return {
    endpoint: q.endpoint, extension: q.extension, context: q.context, app: q.app, appArgs: q.appArgs,
    callerId: q.callerId, timeout: q.timeout, channelId: i.path.channelId ?? q.channelId, otherChannelId: q.otherChannelId,
    variables: vars && typeof vars === 'object' ? vars : undefined,
  };
}

const ORIGINATE = params('endpoint!', 'extension', 'context', 'priority', 'label', 'app', 'appArgs', 'callerId', 'timeout',
  '$variables', 'otherChannelId', 'originator', 'formats');

function play(ctx: SimContext, i: HandlerInput) {
  const ch = inStasis(ctx, i.path.channelId);
  const media = (i.query.media ?? '').split(',').filter(Boolean);
  return { status: 201, body: ctx.playbacks.play(ch, media, i.path.playbackId ?? i.query.playbackId) };
}

export const channelRoutes: RouteDef[] = [
  route(R, 'GET', '/channels', 'list', 'List[Channel]', [], (ctx) => ok([...ctx.engine.channels.values()].map((c) => c.toJSON()))),
  route(R, 'POST', '/channels', 'originate', 'Channel', [...ORIGINATE, ...params('channelId')], (ctx, i) =>
    ok(originate(ctx.engine, ctx.hooks, originateParams(i)))),
  route(R, 'POST', '/channels/create', 'create', 'Channel',
    params('endpoint!', 'app!', 'appArgs', 'channelId', 'otherChannelId', 'originator', 'formats', '$variables'),
    (ctx, i) => ok(createChannel(ctx.engine, ctx.hooks, originateParams(i)))),
  route(R, 'GET', '/channels/{channelId}', 'get', 'Channel', [], (ctx, i) => ok(chan(ctx, i.path.channelId).toJSON())),
  route(R, 'POST', '/channels/{channelId}', 'originateWithId', 'Channel', ORIGINATE, (ctx, i) =>
    ok(originate(ctx.engine, ctx.hooks, originateParams(i)))),
  route(R, 'DELETE', '/channels/{channelId}', 'hangup', 'void', params('reason_code', 'reason'), (ctx, i) => {
    const ch = chan(ctx, i.path.channelId);
    hangupChannel(ctx.engine, ch, hangupReasonCause(i.query.reason, i.query.reason_code));
    return noContent();
  }),
  route(R, 'POST', '/channels/{channelId}/continue', 'continueInDialplan', 'void', params('context', 'extension', 'priority', 'label'),
    (ctx, i) => {
      const ch = inStasis(ctx, i.path.channelId);
      ctx.engine.leaveStasis(ch);
      ctx.hooks.runDialplan(ch, i.query.context || ch.dialplan.context, i.query.extension || ch.dialplan.exten, Number(i.query.priority ?? 1) || 1);
      return noContent();
    }),
  route(R, 'POST', '/channels/{channelId}/answer', 'answer', 'void', [], (ctx, i) => {
    const ch = inStasis(ctx, i.path.channelId);
    ctx.engine.setState(ch, 'Up');
    return noContent();
  }),
  route(R, 'POST', '/channels/{channelId}/ring', 'ring', 'void', [], (ctx, i) => (inStasis(ctx, i.path.channelId), noContent())),
  route(R, 'DELETE', '/channels/{channelId}/ring', 'ringStop', 'void', [], (ctx, i) => (inStasis(ctx, i.path.channelId), noContent())),
  route(R, 'POST', '/channels/{channelId}/dtmf', 'sendDTMF', 'void', params('dtmf', 'before', 'between', 'duration', 'after'),
    (ctx, i) => {
      const ch = inStasis(ctx, i.path.channelId);
      if (!i.query.dtmf) throw new AriError(400, 'DTMF is required');
      const far = legOf(ch)?.ch2;
      if (far && far !== ch && far.alive) ctx.engine.emitDtmf(far, i.query.dtmf);
      return noContent();
    }),
  route(R, 'POST', '/channels/{channelId}/moh', 'startMoh', 'void', params('mohClass'), (ctx, i) => (inStasis(ctx, i.path.channelId), noContent())),
  route(R, 'DELETE', '/channels/{channelId}/moh', 'stopMoh', 'void', [], (ctx, i) => (inStasis(ctx, i.path.channelId), noContent())),
  route(R, 'POST', '/channels/{channelId}/silence', 'startSilence', 'void', [], (ctx, i) => (inStasis(ctx, i.path.channelId), noContent())),
  route(R, 'DELETE', '/channels/{channelId}/silence', 'stopSilence', 'void', [], (ctx, i) => (inStasis(ctx, i.path.channelId), noContent())),
  route(R, 'POST', '/channels/{channelId}/hold', 'hold', 'void', [], (ctx, i) => (inStasis(ctx, i.path.channelId), noContent())),
  route(R, 'DELETE', '/channels/{channelId}/hold', 'unhold', 'void', [], (ctx, i) => (inStasis(ctx, i.path.channelId), noContent())),
  route(R, 'POST', '/channels/{channelId}/mute', 'mute', 'void', params('direction'), (ctx, i) => (inStasis(ctx, i.path.channelId), noContent())),
  route(R, 'DELETE', '/channels/{channelId}/mute', 'unmute', 'void', params('direction'), (ctx, i) => (inStasis(ctx, i.path.channelId), noContent())),
  route(R, 'POST', '/channels/{channelId}/play', 'play', 'Playback', params('media!*', 'lang', 'offsetms', 'skipms', 'playbackId'), play),
  route(R, 'POST', '/channels/{channelId}/play/{playbackId}', 'playWithId', 'Playback', params('media!*', 'lang', 'offsetms', 'skipms'), play),
  route(R, 'GET', '/channels/{channelId}/variable', 'getChannelVar', 'Variable', params('variable!'), (ctx, i) => {
    if (!i.query.variable) throw new AriError(400, 'Variable name is required');
    const ch = ctx.engine.channels.get(i.path.channelId ?? '');
    if (!ch) throw new AriError(404, 'Provided channel was not found');
    return ok({ value: readChannelVar(ctx, ch, i.query.variable) });
  }),
  route(R, 'POST', '/channels/{channelId}/variable', 'setChannelVar', 'void', params('variable!', 'value'), (ctx, i) => {
    const ch = chan(ctx, i.path.channelId);
    setChannelVar(ctx, ch, i.query.variable ?? '', i.query.value ?? '');
    return noContent();
  }),
  route(R, 'POST', '/channels/{channelId}/record', 'record', 'LiveRecording',
    params('name!', 'format!', 'maxDurationSeconds', 'maxSilenceSeconds', 'ifExists', 'beep', 'terminateOn'),
    (ctx, i) => ({ status: 201, body: ctx.recordings.start(inStasis(ctx, i.path.channelId), i.query) })),
  route(R, 'POST', '/channels/{channelId}/snoop', 'snoopChannel', 'Channel', params('spy', 'whisper', 'app!', 'appArgs', 'snoopId'),
    (ctx, i) => ok(ctx.recordings.snoop(inStasis(ctx, i.path.channelId), i.query.app ?? '', i.query.appArgs, i.query.snoopId).toJSON())),
  route(R, 'POST', '/channels/{channelId}/snoop/{snoopId}', 'snoopChannelWithId', 'Channel', params('spy', 'whisper', 'app!', 'appArgs'),
    (ctx, i) => ok(ctx.recordings.snoop(inStasis(ctx, i.path.channelId), i.query.app ?? '', i.query.appArgs, i.path.snoopId).toJSON())),
  route(R, 'POST', '/channels/{channelId}/dial', 'dial', 'void', params('caller', 'timeout'), (ctx, i) => {
    const ch = inStasis(ctx, i.path.channelId);
    dialChannel(ctx.engine, ch, i.query.timeout);
    return noContent();
  }),
];
