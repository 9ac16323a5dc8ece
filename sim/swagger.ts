/**
 * Swagger 1.2 declarations generated from our own route table (never copied from Asterisk). ari-client
 * builds its operations from them and looks every WebSocket event type up in the `events` models,
 * so every event the simulator emits must be declared here.
 */
import type { RouteDef } from './routes/types.js';

export const RESOURCES = ['asterisk', 'endpoints', 'channels', 'bridges', 'recordings', 'sounds', 'playbacks', 'deviceStates',
  'mailboxes', 'events', 'applications'];

type Props = Record<string, string>;
const BASE: Props = { type: 'string', application: 'string', timestamp: 'Date', asterisk_id: 'string' };

/** Event name → property types (resource-typed properties let ari-client hand out Channel/Bridge objects). */
export const EVENT_MODELS: Record<string, Props> = {
  StasisStart: { channel: 'Channel', args: 'List[string]', replace_channel: 'Channel' },
  StasisEnd: { channel: 'Channel' },
  ChannelCreated: { channel: 'Channel' },
  ChannelDestroyed: { channel: 'Channel', cause: 'int', cause_txt: 'string' },
  ChannelHangupRequest: { channel: 'Channel', cause: 'int', soft: 'boolean' },
  ChannelStateChange: { channel: 'Channel' },
  ChannelDtmfReceived: { channel: 'Channel', digit: 'string', duration_ms: 'int' },
  ChannelVarset: { channel: 'Channel', variable: 'string', value: 'string' },
  ChannelDialplan: { channel: 'Channel', dialplan_app: 'string', dialplan_app_data: 'string' },
  ChannelCallerId: { channel: 'Channel', caller_presentation: 'int', caller_presentation_txt: 'string' },
  ChannelConnectedLine: { channel: 'Channel' },
  ChannelUserevent: { eventname: 'string', channel: 'Channel', bridge: 'Bridge', userevent: 'object' },
  ChannelEnteredBridge: { bridge: 'Bridge', channel: 'Channel' },
  ChannelLeftBridge: { bridge: 'Bridge', channel: 'Channel' },
  BridgeCreated: { bridge: 'Bridge' },
  BridgeDestroyed: { bridge: 'Bridge' },
  Dial: { caller: 'Channel', peer: 'Channel', forwarded: 'Channel', forward: 'string', dialstring: 'string', dialstatus: 'string' },
  PlaybackStarted: { playback: 'Playback' },
  PlaybackContinuing: { playback: 'Playback' },
  PlaybackFinished: { playback: 'Playback' },
  RecordingStarted: { recording: 'LiveRecording' },
  RecordingFinished: { recording: 'LiveRecording' },
  RecordingFailed: { recording: 'LiveRecording' },
  DeviceStateChanged: { device_state: 'DeviceState' },
  ApplicationReplaced: {},
};

function model(id: string, props: Props) {
  const properties: Record<string, { type: string; required?: boolean }> = {};
  for (const [name, type] of Object.entries(props)) properties[name] = { type };
  return { id, properties };
}

export function resourceList(base: string) {
  return {
    apiVersion: '10.0.0',
    swaggerVersion: '1.2',
    basePath: base,
    apis: RESOURCES.map((r) => ({ path: `/api-docs/${r}.{format}`, description: `${r} (simulated)` })),
  };
}

export function declaration(resource: string, routes: RouteDef[], base: string) {
  const byPath = new Map<string, RouteDef[]>();
  for (const r of routes.filter((x) => x.resource === resource)) {
    const list = byPath.get(r.path) ?? [];
    list.push(r);
    byPath.set(r.path, list);
  }
  const apis = [...byPath].map(([path, ops]) => ({
    path,
    description: path,
    operations: ops.map((op) => ({
      httpMethod: op.method,
      method: op.method,
      nickname: op.nickname,
      summary: op.nickname,
      type: op.type,
      responseClass: op.type,
      parameters: op.params.map((p) => ({
        name: p.name,
        paramType: p.in,
        required: p.required,
        allowMultiple: p.multiple,
        type: p.type,
        dataType: p.type,
      })),
    })),
  }));
  const models: Record<string, unknown> = {};
  if (resource === 'events') {
    models.Message = model('Message', BASE);
    models.Event = model('Event', BASE);
    for (const [name, props] of Object.entries(EVENT_MODELS)) models[name] = model(name, { ...BASE, ...props });
  }
  return {
    apiVersion: '10.0.0',
    swaggerVersion: '1.2',
    basePath: base,
    resourcePath: `/api-docs/${resource}.{format}`,
    apis,
    models,
  };
}
