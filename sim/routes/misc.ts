/** /asterisk, /deviceStates, /applications, /events, /endpoints, /sounds, /recordings, /mailboxes */
import type { SimContext } from '../context.js';
import { AriError } from '../errors.js';
import { ASTERISK_ID, asteriskTime } from '../events.js';
import { readGlobalVar, setChannelVar } from '../variables.js';
import { noContent, ok, params, route, type RouteDef } from './types.js';

function appJson(ctx: SimContext, name: string) {
  const app = ctx.engine.bus.apps.get(name);
  if (!app || !ctx.engine.bus.isRegistered(name)) throw new AriError(404, 'Application not found');
  const of = (prefix: string) => [...app.subscriptions].filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length));
  return {
    name, channel_ids: of('channel:').filter((id) => ctx.engine.channels.has(id)), bridge_ids: of('bridge:'),
    endpoint_ids: of('endpoint:'), device_names: of('deviceState:'),
    events_allowed: [...app.allowed].map((type) => ({ type })), events_disallowed: [...app.disallowed].map((type) => ({ type })),
  };
}

/** As Asterisk: each list given replaces that list; an empty body clears both; a malformed one is a 400. */
function eventFilter(ctx: SimContext, name: string, body: Record<string, unknown> | undefined) {
  appJson(ctx, name);
  const app = ctx.engine.bus.app(name);
  const lists = { allowed: app.allowed, disallowed: app.disallowed };
  if (!body || Object.keys(body).length === 0) {
    app.allowed.clear();
    app.disallowed.clear();
    return ok(appJson(ctx, name));
  }
  for (const key of ['allowed', 'disallowed'] as const) {
    const v = body[key];
    if (v === undefined) continue;
    if (!Array.isArray(v) || v.some((x) => typeof (x as { type?: unknown })?.type !== 'string')) throw new AriError(400, 'Invalid format definition');
    lists[key].clear();
    for (const x of v as { type: string }[]) lists[key].add(x.type);
  }
  return ok(appJson(ctx, name));
}

function subscription(ctx: SimContext, name: string, sources: string | undefined, add: boolean) {
  appJson(ctx, name);
  const list = (sources ?? '').split(',').filter(Boolean);
  if (list.length === 0) throw new AriError(400, 'Missing parameter eventSource');
  for (const s of list) {
    if (!/^(channel|bridge|endpoint|deviceState):.+/.test(s)) throw new AriError(400, 'Invalid event source URI scheme');
    if (add) ctx.engine.bus.subscribe(name, s);
    else ctx.engine.bus.unsubscribe(name, s);
  }
  return ok(appJson(ctx, name));
}

const A = 'asterisk';
const D = 'deviceStates';
const AP = 'applications';
export const miscRoutes: RouteDef[] = [
  route(A, 'GET', '/asterisk/info', 'getInfo', 'AsteriskInfo', params('only'), () =>
    ok({ system: { version: '22.10.1', entity_id: ASTERISK_ID }, build: { os: 'Linux (simulated)' }, status: { startup_time: asteriskTime() } })),
  route(A, 'GET', '/asterisk/ping', 'ping', 'AsteriskPing', [], () => ok({ ping: 'pong', timestamp: asteriskTime(), asterisk_id: ASTERISK_ID })),
  route(A, 'GET', '/asterisk/modules', 'listModules', 'List[Module]', [], () => ok([])),
  route(A, 'GET', '/asterisk/logging', 'listLogChannels', 'List[LogChannel]', [], () => ok([])),
  route(A, 'GET', '/asterisk/variable', 'getGlobalVar', 'Variable', params('variable!'), (ctx, i) =>
    ok({ value: readGlobalVar(ctx, i.query.variable ?? '') })),
  route(A, 'POST', '/asterisk/variable', 'setGlobalVar', 'void', params('variable!', 'value'), (ctx, i) => {
    setChannelVar(ctx, undefined, i.query.variable ?? '', i.query.value ?? '');
    return noContent();
  }),
  route(D, 'GET', '/deviceStates', 'list', 'List[DeviceState]', [], (ctx) =>
    ok([...ctx.devices.stasisStates].map(([name, state]) => ({ name, state })))),
  route(D, 'GET', '/deviceStates/{deviceName}', 'get', 'DeviceState', [], (ctx, i) =>
    ok({ name: i.path.deviceName, state: ctx.devices.state(i.path.deviceName!) })),
  route(D, 'PUT', '/deviceStates/{deviceName}', 'update', 'void', params('deviceState!'), (ctx, i) => {
    ctx.devices.put(i.path.deviceName!, i.query.deviceState);
    return noContent();
  }),
  route(D, 'DELETE', '/deviceStates/{deviceName}', 'delete', 'void', [], (ctx, i) => {
    ctx.devices.remove(i.path.deviceName!);
    return noContent();
  }),
  route(AP, 'GET', '/applications', 'list', 'List[Application]', [], (ctx) =>
    ok([...ctx.engine.bus.apps.keys()].filter((n) => ctx.engine.bus.isRegistered(n)).map((n) => appJson(ctx, n)))),
  route(AP, 'GET', '/applications/{applicationName}', 'get', 'Application', [], (ctx, i) => ok(appJson(ctx, i.path.applicationName!))),
  route(AP, 'PUT', '/applications/{applicationName}/eventFilter', 'filter', 'Application', params('$filter'), (ctx, i) =>
    eventFilter(ctx, i.path.applicationName!, i.body)),
  route(AP, 'POST', '/applications/{applicationName}/subscription', 'subscribe', 'Application', params('eventSource!*'), (ctx, i) =>
    subscription(ctx, i.path.applicationName!, i.query.eventSource, true)),
  route(AP, 'DELETE', '/applications/{applicationName}/subscription', 'unsubscribe', 'Application', params('eventSource!*'), (ctx, i) =>
    subscription(ctx, i.path.applicationName!, i.query.eventSource, false)),
  route('events', 'POST', '/events/user/{eventName}', 'userEvent', 'void', params('application!', 'source*', '$variables'), (ctx, i) => {
    const app = i.query.application ?? '';
    appJson(ctx, app);
    ctx.engine.bus.subscribe(app, `user:${app}`);
    ctx.engine.bus.emit({ type: 'ChannelUserevent', eventname: i.path.eventName, userevent: { eventname: i.path.eventName } }, [`user:${app}`]);
    return noContent();
  }),
  route('endpoints', 'GET', '/endpoints', 'list', 'List[Endpoint]', [], () => ok([])),
  route('endpoints', 'GET', '/endpoints/{tech}', 'listByTech', 'List[Endpoint]', [], (_c, i) => {
    throw new AriError(404, `No Endpoints found - invalid tech ${i.path.tech}`);
  }),
  route('sounds', 'GET', '/sounds', 'list', 'List[Sound]', params('lang', 'format'), () =>
    ok([{ id: 'beep', formats: [{ language: 'en', format: 'gsm' }] }])),
  route('sounds', 'GET', '/sounds/{soundId}', 'get', 'Sound', [], (_c, i) => {
    if (i.path.soundId !== 'beep') throw new AriError(404, 'Sound not found');
    return ok({ id: 'beep', formats: [{ language: 'en', format: 'gsm' }] });
  }),
  route('recordings', 'GET', '/recordings/stored', 'listStored', 'List[StoredRecording]', [], (ctx) => ok([...ctx.recordings.stored.values()])),
  route('recordings', 'GET', '/recordings/stored/{recordingName}', 'getStored', 'StoredRecording', [], (ctx, i) => {
    const r = ctx.recordings.stored.get(i.path.recordingName!);
    if (!r) throw new AriError(404, 'Recording not found');
    return ok(r);
  }),
  route('recordings', 'DELETE', '/recordings/stored/{recordingName}', 'deleteStored', 'void', [], (ctx, i) => {
    if (!ctx.recordings.stored.delete(i.path.recordingName!)) throw new AriError(404, 'Recording not found');
    return noContent();
  }),
  route('recordings', 'GET', '/recordings/live/{recordingName}', 'getLive', 'LiveRecording', [], (ctx, i) =>
    ok(ctx.recordings.json(ctx.recordings.get(i.path.recordingName!)))),
  route('recordings', 'POST', '/recordings/live/{recordingName}/stop', 'stop', 'void', [], (ctx, i) => {
    ctx.recordings.finish(ctx.recordings.get(i.path.recordingName!), 'done');
    return noContent();
  }),
  route('recordings', 'DELETE', '/recordings/live/{recordingName}', 'cancel', 'void', [], (ctx, i) => {
    ctx.recordings.finish(ctx.recordings.get(i.path.recordingName!), 'canceled');
    return noContent();
  }),
  route('mailboxes', 'GET', '/mailboxes', 'list', 'List[Mailbox]', [], () => ok([])),
];
