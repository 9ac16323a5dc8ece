/**
 * THE list of scenarios compared between the simulator and a real Asterisk 22 (test/asterisk/fidelity.test.ts)
 * and re-recorded into test/sim/fixtures by `npm run fixtures:refresh`. Targets are those of the test world
 * (../shared/asterisk/observed.md §1): a customer's behaviour is the last digit of its number.
 *
 * Real waits are kept short: the no-answer cases use a 3 s ring timeout, long answered calls are hung up by the
 * app as soon as they are in Stasis.
 */
import {
  awaitEvent, create, del, dial, get, hangup, originate, post, put, readVar, type Scenario, type Step,
} from './scenario-types.js';

/** What each customer digit needs from the app so the call ends quickly. */
const ORIGINATE_TIMEOUT: Record<number, number> = { 3: 3 };
const HANG_UP_WHEN_IN_STASIS = new Set([0, 7]);
const DIRECT_FIXTURES: Record<number, string> = {
  0: 'A0-answer-play', 1: 'A1-answer-dtmf1', 2: 'A2-busy', 3: 'A3-noanswer', 4: 'A4-congestion', 5: 'A5-answer-hangup',
  6: 'A6-answer-dtmf39', 7: 'A7-answer-late', 8: 'A8-unallocated', 9: 'A9-machine',
};
const ROUTE_FIXTURES: Record<number, string> = {
  0: 'B0-out-answer-play', 1: 'B1-out-answer-dtmf1', 2: 'B2-out-busy', 3: 'B3-out-noanswer', 4: 'B4-out-congestion',
  5: 'B5-out-answer-hangup', 6: 'B6-out-answer-dtmf39', 7: 'B7-out-answer-late', 8: 'B8-out-unallocated', 9: 'B9-out-machine',
};

function customerCall(name: string, fixture: string, endpoint: string, digit: number): Scenario {
  const steps: Step[] = [originate('c', endpoint, ORIGINATE_TIMEOUT[digit])];
  if (HANG_UP_WHEN_IN_STASIS.has(digit)) steps.push(awaitEvent('c', 'StasisStart'), hangup('c'));
  return { name, fixture, steps };
}

const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

const direct = DIGITS.map((d) => customerCall(`originate to customer …${d}`, DIRECT_FIXTURES[d]!, `Local/491700000${d}@test-clients`, d));
const viaRoute = DIGITS.map((d) =>
  customerCall(`originate through the outbound route to customer …${d}`, ROUTE_FIXTURES[d]!, `Local/0491700000${d}@outgoing`, d));

const failures: Scenario[] = [
  { name: 'no route: unknown extension', fixture: 'AN1-noroute-exten', steps: [originate('c', 'Local/abc@test-clients')] },
  { name: 'no route: unknown context', fixture: 'AN2-noroute-context', steps: [originate('c', 'Local/4917000001@no-such-context')] },
  { name: 'no route: outbound route without the trunk prefix', fixture: 'BN1-out-noroute', steps: [originate('c', 'Local/4917000001@outgoing')] },
  { name: 'no context: context default hangs up with cause 1', fixture: 'AN3-default-context', steps: [originate('c', 'Local/4917000001')] },
  { name: 'unknown technology: 500 Allocation failed', steps: [originate('c', 'PJSIP/4917000001@trunk')] },
  { name: 'originate without app or extension: 400', steps: [post('/channels?endpoint=Local/4917000001@test-clients&channelId={c}')] },
  {
    name: 'app hangs up while the customer rings',
    fixture: 'AN4-app-hangup-while-ringing',
    steps: [originate('c', 'Local/4917000003@test-clients'), awaitEvent('c', 'Dial(RINGING)'), hangup('c')],
  },
  { name: 'hang up a channel that does not exist: 404', steps: [del('/channels/{nobody}')] },
];

/** channels/create, then dial once the channel is in Stasis (observed.md §2C). */
function createDial(name: string, fixture: string, endpoint: string, timeout?: number): Scenario {
  return { name, fixture, steps: [create('c', endpoint), awaitEvent('c', 'StasisStart'), dial('c', timeout)] };
}

const createAndDial: Scenario[] = [
  createDial('create + dial: customer answers and presses 1', 'C1-cd-answer-dtmf1', 'Local/4917000001@test-clients'),
  createDial('create + dial: busy', 'C2-cd-busy', 'Local/4917000002@test-clients'),
  createDial('create + dial: no answer within the dial timeout', 'C3-cd-noanswer', 'Local/4917000003@test-clients', 3),
  createDial('create + dial: congestion', 'C4-cd-congestion', 'Local/4917000004@test-clients'),
  createDial('create + dial: unallocated', 'C8-cd-unallocated', 'Local/4917000008@test-clients'),
  createDial('create + dial: no route', 'CN1-cd-noroute', 'Local/abc@test-clients'),
];

const media: Scenario[] = [
  {
    name: 'playback of a sound, of a missing file and of two media; DTMF sent; channel variables',
    steps: [
      originate('c', 'Local/4917000010@test-clients'),
      awaitEvent('c', 'StasisStart'),
      post('/channels/{c}/play/{beep}?media=sound:beep', 'state'),
      awaitEvent('beep', 'PlaybackFinished'),
      // no 'state' pick: Asterisk answers "queued" or "playing" for a missing file, depending on a race
      post('/channels/{c}/play/{missing}?media=sound:no-such-file-here'),
      awaitEvent('missing', 'PlaybackFinished'),
      post('/channels/{c}/play/{two}?media=sound:beep,sound:custom/short-tone', 'state'),
      awaitEvent('two', 'PlaybackFinished'),
      post('/channels/{c}/dtmf?dtmf=12'),
      awaitEvent('c;2', 'ChannelDtmfReceived(2)'),
      post('/channels/{c}/variable?variable=FIDELITY&value=yes'),
      readVar('c', 'FIDELITY'),
      readVar('c', 'NOT_SET_ANYWHERE'),
      get('/playbacks/{gone}'),
      hangup('c'),
    ],
  },
];

const requests: Scenario[] = [
  {
    name: 'requests around a live call: errors, tone playback, holding bridge, hangup reason busy',
    steps: [
      originate('c', 'Local/4917000020@test-clients'),
      awaitEvent('c', 'StasisStart'),
      post('/channels?endpoint=Local/4917000020@test-clients&app={app}&channelId={c}'),
      post('/channels/{nobody}/play?media=sound:beep'),
      get('/channels/{nobody}/variable?variable=X'),
      post('/channels/{c}/dtmf'),
      get('/applications/{nobody}'),
      post('/channels/{c}/play/{tone}?media=tone:ring;tonezone=us', 'state'),
      awaitEvent('tone', 'PlaybackStarted'),
      del('/playbacks/{tone}'),
      awaitEvent('tone', 'PlaybackFinished'),
      post('/channels/{c}/moh'),
      del('/channels/{c}/moh'),
      post('/channels/{c}/answer'),
      post('/channels/{c}/ring'),
      put('/deviceStates/Stasis:fidelity?deviceState=NOT_A_STATE'),
      del('/channels/{c}?reason=busy'),
      awaitEvent('c', 'ChannelDestroyed'),
      get('/channels/{c}'),
    ],
  },
  {
    name: 'holding bridge destroyed with the channel still in it',
    steps: [
      originate('c', 'Local/4917000030@test-clients'),
      awaitEvent('c', 'StasisStart'),
      post('/bridges?type=holding&bridgeId={h}', 'technology', 'bridge_type'),
      post('/bridges/{h}/addChannel?channel={c}&role=participant'),
      post('/bridges/{h}/addChannel?channel={nobody}'),
      post('/bridges/{h}/moh'),
      del('/bridges/{h}/moh'),
      del('/bridges/{h}'),
      awaitEvent('c', 'ChannelLeftBridge'),
      get('/bridges/{h}'),
      hangup('c'),
    ],
  },
  {
    name: 'mixing bridge emptied before it is destroyed',
    steps: [
      originate('c', 'Local/4917000040@test-clients'),
      awaitEvent('c', 'StasisStart'),
      post('/bridges?type=mixing&bridgeId={m}', 'technology'),
      post('/bridges/{m}/addChannel?channel={c}'),
      post('/bridges/{m}/removeChannel?channel={c}'),
      awaitEvent('c', 'ChannelLeftBridge'),
      del('/bridges/{m}'),
      hangup('c'),
    ],
  },
];

/** A channel that sits Down in Stasis, through which dialplan functions are read (observed.md QUEUE_MEMBER). */
const UTILITY = 'Local/echo@dialer-misc';

const QUEUE_READS = ['free', 'ready', 'logged', 'count'];

const shared: Scenario[] = [
  {
    name: 'queue, device and function reads on a utility channel at rest',
    exclusive: true,
    steps: [
      create('u', UTILITY),
      awaitEvent('u', 'StasisStart'),
      get('/channels/{u}', 'state'),
      ...QUEUE_READS.map((o) => readVar('u', `QUEUE_MEMBER(9000,${o})`)),
      ...QUEUE_READS.map((o) => readVar('u', `QUEUE_MEMBER(9001,${o})`)),
      ...QUEUE_READS.map((o) => readVar('u', `QUEUE_MEMBER(201,${o})`)),
      readVar('u', 'QUEUE_MEMBER(9000,paused,Local/201@test-agents)'),
      readVar('u', 'QUEUE_EXISTS(9000)'),
      readVar('u', 'QUEUE_EXISTS(9001)'),
      readVar('u', 'QUEUE_EXISTS(201)'),
      readVar('u', 'DEVICE_STATE(Local/201@test-agents)'),
      readVar('u', 'DEVICE_STATE(Local/204@test-agents)'),
      readVar('u', 'DEVICE_STATE(Stasis:agent201)'),
      get('/asterisk/variable?variable=QUEUE_MEMBER(9000,free)', 'value'),
      hangup('u'),
    ],
  },
  {
    name: 'device states set over ARI, DeviceStateChanged after subscription, queue 9001 follows',
    exclusive: true,
    devices: ['Stasis:agent202'],
    steps: [
      create('u', UTILITY),
      awaitEvent('u', 'StasisStart'),
      get('/deviceStates/Stasis:agent202', 'state'),
      post('/applications/{app}/subscription?eventSource=deviceState:Stasis:agent202'),
      put('/deviceStates/Stasis:agent202?deviceState=NOT_INUSE'),
      awaitEvent('dev:Stasis:agent202', 'DeviceStateChanged(NOT_INUSE)'),
      get('/deviceStates/Stasis:agent202', 'state'),
      readVar('u', 'DEVICE_STATE(Stasis:agent202)'),
      readVar('u', 'QUEUE_MEMBER(9001,free)'),
      put('/deviceStates/Stasis:agent202?deviceState=INUSE'),
      awaitEvent('dev:Stasis:agent202', 'DeviceStateChanged(INUSE)'),
      readVar('u', 'QUEUE_MEMBER(9001,free)'),
      put('/deviceStates/Custom:agent202?deviceState=NOT_INUSE'),
      get('/deviceStates/Custom:agent202', 'state'),
      del('/applications/{app}/subscription?eventSource=deviceState:Stasis:agent202'),
      put('/deviceStates/Stasis:agent202?deviceState=NOT_INUSE'),
      readVar('u', 'QUEUE_MEMBER(9001,free)'),
      hangup('u'),
    ],
  },
  {
    name: 'mixing bridge with an agent',
    exclusive: true,
    steps: [
      originate('c', 'Local/4917000017@test-clients'),
      awaitEvent('c', 'StasisStart'),
      post('/bridges?type=mixing&bridgeId={b}', 'technology', 'bridge_type'),
      post('/bridges/{b}/addChannel?channel={c}'),
      originate('a', 'Local/201@test-agents'),
      awaitEvent('a', 'StasisStart'),
      post('/bridges/{b}/addChannel?channel={a}'),
      get('/bridges/{b}', 'technology'),
      readVar('c', 'QUEUE_MEMBER(9000,free)'),
      readVar('c', 'DEVICE_STATE(Local/201@test-agents)'),
      hangup('a'),
      awaitEvent('a', 'ChannelDestroyed'),
      post('/bridges/{b}/removeChannel?channel={c}'),
      awaitEvent('c', 'ChannelLeftBridge'),
      del('/bridges/{b}'),
      awaitEvent('b', 'BridgeDestroyed'),
      hangup('c'),
    ],
  },
  {
    name: 'continue to queue 9000: Stasis ends, the queue rings an agent',
    exclusive: true,
    steps: [
      originate('c', 'Local/4917000027@test-clients'),
      awaitEvent('c', 'StasisStart'),
      post('/channels/{c}/continue?context=dialer-queue&extension=9000&priority=1'),
      awaitEvent('c>dial', 'Dial(ANSWER)'),
      hangup('c'),
    ],
  },
];

export const SCENARIOS: Scenario[] = [...direct, ...viaRoute, ...failures, ...createAndDial, ...media, ...requests, ...shared];
