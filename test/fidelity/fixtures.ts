/**
 * The recorded fixtures of test/sim/fixtures, derived from scenario results (see scripts/refresh-fixtures.ts):
 * - recorded-sequences.json: per fixture, the canonical event sequences of each half of the call
 *   (";1" the dialer's channel, ";2" its Local partner, "inner" the Dial events of the route's own Dial), one entry
 *   per variant Asterisk showed over the recordings, most frequent first.
 * - recorded-interleaved.json: per fixture, the orders ACROSS halves that held in every recording
 *   (["<half> <event>#<n>", "<half> <event>#<n>"] = the first came before the second). Across halves Asterisk
 *   races a lot (two threads), so only what it did every time is kept.
 */
import { fileURLToPath } from 'node:url';
import { canonicalSequence } from './compare.js';
import type { ScenarioResult } from './runner.js';

export const FIXTURE_DIR = fileURLToPath(new URL('../sim/fixtures/', import.meta.url));

const HALF: Record<string, string> = { c: ';1', 'c;2': ';2', 'c;2>dial': 'inner' };

export type Halves = Record<string, string[]>;
export type OrderPairs = [string, string][];

export function halvesOf(r: ScenarioResult): Halves {
  const out: Halves = {};
  for (const label of Object.keys(r.sequences).sort()) {
    const half = HALF[label];
    if (half) out[half] = canonicalSequence(r.sequences[label]!);
  }
  return out;
}

/** "<half> <event>#<n>" in arrival order: the n-th such event of that half. */
function tagged(r: ScenarioResult): string[] {
  const seen = new Map<string, number>();
  const out: string[] = [];
  for (const line of r.interleaved) {
    const sp = line.indexOf(' ');
    const half = HALF[line.slice(0, sp)];
    if (!half) continue;
    const key = `${half} ${line.slice(sp + 1)}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    out.push(`${key}#${n}`);
  }
  return out;
}

const halfOfTag = (t: string) => t.slice(0, t.indexOf(' '));

/** Cross-half "a before b" pairs that hold in every run. */
export function stableOrders(runs: ScenarioResult[]): OrderPairs {
  let pairs: OrderPairs | undefined;
  for (const r of runs) {
    const seq = tagged(r);
    const here = new Set<string>();
    for (let i = 0; i < seq.length; i++) {
      for (let j = i + 1; j < seq.length; j++) {
        if (halfOfTag(seq[i]!) !== halfOfTag(seq[j]!)) here.add(JSON.stringify([seq[i], seq[j]]));
      }
    }
    pairs = pairs === undefined ? [...here].map((p) => JSON.parse(p)) : pairs.filter((p) => here.has(JSON.stringify(p)));
  }
  return pairs ?? [];
}

/** The recorded cross-half orders a result breaks (empty = all kept). */
export function brokenOrders(r: ScenarioResult, pairs: OrderPairs): string[] {
  const seq = tagged(r);
  return pairs
    .filter(([a, b]) => !(seq.indexOf(a) >= 0 && seq.indexOf(a) < seq.indexOf(b)))
    .map(([a, b]) => `${a} before ${b}`);
}
