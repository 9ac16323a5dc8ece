/**
 * The far end's voice as Asterisk's TALK_DETECT sees it on our channel: ChannelTalkingStarted when speech
 * begins (or at once when detection is switched on mid-speech), ChannelTalkingFinished (duration = ms of talk)
 * after `silence` ms of quiet. Finished needs audio frames to keep coming after the speech: a SIP call sends
 * them, a test-world customer behind a Local channel running Wait() sends none, and on Asterisk 22.10.1 its
 * Finished never arrives, not even at hang-up (observed on the real PBX with the ..9 answering machine).
 */
import type { SimChannel } from './channel.js';
import type { Engine } from './engine.js';

export interface TalkStep {
  afterAnswerMs: number;
  durationMs: number;
  /** Audio keeps flowing after this speech (a SIP call): TALK_DETECT can say it finished. */
  framesAfter?: boolean;
}

interface Detector {
  on: boolean;
  silenceMs: number;
  /** Speech in progress: when it began (Date.now()) and whether Started was sent for it. */
  talking?: { since: number; told: boolean; step: TalkStep };
}

const detectors = new WeakMap<SimChannel, Detector>();
const of = (ch: SimChannel): Detector => {
  let d = detectors.get(ch);
  if (!d) detectors.set(ch, (d = { on: false, silenceMs: 2500 }));
  return d;
};

/** Schedule the scripted speech of an answered far end (relative to the answer). */
export function scheduleTalk(engine: Engine, ch: SimChannel, steps: TalkStep[] | undefined): void {
  for (const step of steps ?? []) {
    engine.schedule(ch, step.afterAnswerMs, () => {
      const d = of(ch);
      d.talking = { since: Date.now(), told: false, step };
      if (d.on) tellStarted(engine, ch, d);
      engine.schedule(ch, step.durationMs, () => {
        const t = d.talking;
        if (t?.step !== step) return;
        d.talking = undefined;
        if (!t.told || !d.on || !step.framesAfter) return;
        const talkedMs = Date.now() - t.since;
        engine.schedule(ch, d.silenceMs, () => {
          if (d.on) engine.emitChannel('ChannelTalkingFinished', ch, { duration: talkedMs });
        });
      });
    });
  }
}

function tellStarted(engine: Engine, ch: SimChannel, d: Detector) {
  if (!d.talking || d.talking.told) return;
  d.talking.told = true;
  engine.emitChannel('ChannelTalkingStarted', ch);
}

/** TALK_DETECT(set)=<silence ms>[,<energy>] / TALK_DETECT(remove) on a channel. */
export function setTalkDetect(engine: Engine, ch: SimChannel, action: string, value: string): void {
  const d = of(ch);
  if (action === 'remove') {
    d.on = false;
    return;
  }
  const silence = Number(value.split(',')[0]);
  if (Number.isFinite(silence) && silence > 0) d.silenceMs = silence;
  d.on = true;
  tellStarted(engine, ch, d);
}
