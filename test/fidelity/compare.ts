/**
 * Comparing what the simulator did with what Asterisk did, scenario by scenario.
 *
 * Per-channel event orders are compared exactly, except where Asterisk itself does not keep one order: two
 * threads (the originating one and the Local ;2 running its dialplan) publish those events, and repeated runs of
 * the same scenario on 22.10.1 showed both orders. Only these races are folded; everything else must match.
 */
import type { ScenarioResult } from './runner.js';

/**
 * Dial("") is published by the dialing thread after the far end was called; the far end may already have rung,
 * answered Congestion() or hung up (Hangup(1)) by then. Seen: Ringing, Dial(CONGESTION) and HangupRequest(1)
 * both before and after Dial(). Canonical place: the start of the call (after StasisStart in create + dial).
 */
function placeDialStart(seq: string[]): string[] {
  const at = seq.indexOf('Dial()');
  if (at < 0) return seq;
  const out = [...seq.slice(0, at), ...seq.slice(at + 1)];
  const start = out[0]?.startsWith('StasisStart') ? 1 : 0;
  out.splice(Math.min(start, at), 0, 'Dial()');
  return out;
}

/** Adjacent pairs seen in both orders on the same channel (Busy(): the ;2 state change vs ;1's hangup reaching it). */
const RACING_PAIRS = [['ChannelHangupRequest(0)', 'ChannelStateChange(Busy)']];

function foldPairs(seq: string[]): string[] {
  const out = [...seq];
  for (let i = 0; i + 1 < out.length; i++) {
    const pair = [out[i]!, out[i + 1]!].sort();
    if (RACING_PAIRS.some((r) => r[0] === pair[0] && r[1] === pair[1])) [out[i], out[i + 1]] = pair;
  }
  return out;
}

export function canonicalSequence(seq: string[]): string[] {
  return foldPairs(placeDialStart(seq));
}

export function canonicalSequences(seqs: Record<string, string[]>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const label of Object.keys(seqs).sort()) out[label] = canonicalSequence(seqs[label]!);
  return out;
}

/** The comparable part of a result: outcomes and canonical per-label sequences. */
export function comparable(r: ScenarioResult): { error?: string; outcomes: string[]; sequences: Record<string, string[]> } {
  return { ...(r.error ? { error: r.error } : {}), outcomes: r.outcomes, sequences: canonicalSequences(r.sequences) };
}

/** Human-readable differences (empty when the simulator did what Asterisk did). */
export function differences(sim: ScenarioResult, pbx: ScenarioResult): string[] {
  const a = comparable(sim);
  const b = comparable(pbx);
  const out: string[] = [];
  if (a.error || b.error) out.push(`error: simulator ${a.error ?? 'none'} / Asterisk ${b.error ?? 'none'}`);
  const n = Math.max(a.outcomes.length, b.outcomes.length);
  for (let i = 0; i < n; i++) {
    if (a.outcomes[i] !== b.outcomes[i]) out.push(`request ${i + 1}: simulator "${a.outcomes[i]}" / Asterisk "${b.outcomes[i]}"`);
  }
  for (const label of new Set([...Object.keys(a.sequences), ...Object.keys(b.sequences)])) {
    const x = a.sequences[label] ?? [];
    const y = b.sequences[label] ?? [];
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push(`events of ${label}:\n  simulator ${x.join(' → ')}\n  Asterisk  ${y.join(' → ')}`);
  }
  return out;
}
