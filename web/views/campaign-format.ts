/** How the campaign, live-call and agent views write times, durations and phases. */
import type { CallPhase } from '../../src/web/api-types.js';

/** A database time (seconds since the epoch, fractional; 0 = never) as local date and time, '' for 0. */
export function when(seconds: number): string {
  if (!seconds) return '';
  const d = new Date(seconds * 1000);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

/** Seconds as m:ss (h:mm:ss past an hour). */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

export const PHASE_LABEL: Record<CallPhase, string> = { ringing: 'ringing', answered: 'answered', survey: 'in survey', agent: 'with agent' };
export const PHASES: CallPhase[] = ['ringing', 'answered', 'survey', 'agent'];

/** Answered out of done as a percentage, '—' before anything is done. */
export function answerRate(answered: number, done: number): string {
  return done ? `${Math.round((100 * answered) / done)} %` : '—';
}
