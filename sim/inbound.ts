/**
 * Inbound calls: a caller dials a number whose dialplan runs `Stasis(<app>,inbound,<exten>)`. The channel
 * is a PJSIP channel in state Ring carrying the caller id, it enters the app with args ['inbound', exten]
 * and waits to be answered; once the app answers, the caller's script (keys, hangup) runs from the answer.
 * Hung up by the app (DELETE /channels) or by the caller's script, whichever comes first.
 */
import type { Engine } from './engine.js';
import type { DtmfStep } from './world.js';

export interface InboundCallSpec {
  /** Caller id number as the trunk / phone presents it ("+79522233441", "201", "anonymous"). */
  from: string;
  /** The dialled number, passed to the app as the second Stasis argument. */
  exten: string;
  /** Stasis app (default "autodialer", the service's ARI_APP default). */
  app?: string;
  callerName?: string;
  /** Keys the caller presses, timed from the answer. */
  dtmf?: DtmfStep[];
  /** The caller hangs up this long after the answer (cause 16); default 600 s. */
  hangupAfterMs?: number;
  /** The caller gives up this long after calling if nobody answers (cause 16); default 60 s. */
  ringForeverMs?: number;
}

export interface InboundRecord {
  channelId: string;
  from: string;
  exten: string;
  app: string;
  startedAt: number;
  answeredAt?: number;
  endedAt?: number;
  cause?: number;
  /** Who ended the call: the caller's script, or the app (or anything else that hung the channel up). */
  endedBy?: 'caller' | 'app';
}

const EXTEN = /^[0-9A-Za-z*#+]{1,40}$/;

export function placeInboundCall(engine: Engine, spec: InboundCallSpec, log: InboundRecord[]): InboundRecord {
  const app = spec.app ?? 'autodialer';
  const from = String(spec.from ?? '').trim();
  const exten = String(spec.exten ?? '');
  if (!from || from.length > 80) throw new Error('from: expected the caller id number (1-80 characters)');
  if (!EXTEN.test(exten)) throw new Error('exten: expected digits, letters, * # + (at most 40)');
  for (const step of spec.dtmf ?? []) {
    if (!/^[0-9*#A-D]+$/.test(step.digits)) throw new Error('dtmf digits: expected 0-9, *, #, A-D');
  }
  // Asterisk's Stasis() fails on an app nobody registered and the dialplan goes on (here: the call ends).
  if (!engine.bus.isRegistered(app)) throw new Error(`Stasis app "${app}" is not registered`);

  const id = engine.uniqueId();
  const tech = from.replace(/[^0-9A-Za-z]/g, '') || 'anonymous';
  const ch = engine.newChannel(id, `PJSIP/${tech}-${engine.localSuffix()}`, {
    context: 'internal', exten, priority: 2, app_name: 'Stasis', app_data: `${app},inbound,${exten}`,
  });
  ch.state = 'Ring';
  ch.caller = { name: spec.callerName ?? '', number: from };
  const record: InboundRecord = { channelId: id, from, exten, app, startedAt: Date.now() };
  log.push(record);

  let callerHangup = false;
  const hangUp = () => {
    callerHangup = true;
    engine.hangupRequest(ch, 16);
    engine.destroy(ch, 16);
  };
  // The app answers with POST /channels/{id}/answer: the caller's script starts at that state change.
  const off = engine.bus.tap((e) => {
    const c = (e as { channel?: { id?: string; state?: string } }).channel;
    if (record.answeredAt || e.type !== 'ChannelStateChange' || c?.id !== id || c.state !== 'Up') return;
    record.answeredAt = Date.now();
    for (const step of spec.dtmf ?? []) engine.schedule(ch, step.afterAnswerMs, () => engine.emitDtmf(ch, step.digits));
    engine.schedule(ch, spec.hangupAfterMs ?? 600_000, hangUp);
  });
  engine.schedule(ch, spec.ringForeverMs ?? 60_000, () => (record.answeredAt ? undefined : hangUp()));
  ch.onDestroy.push((cause) => {
    off();
    record.endedAt = Date.now();
    record.cause = cause;
    record.endedBy = callerHangup ? 'caller' : 'app';
  });
  engine.enterStasis(ch, app, ['inbound', exten]);
  return record;
}
