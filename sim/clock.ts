/**
 * Simulated time: every scripted delay goes through here so a whole world can run faster than
 * real time (timeScale < 1) and runs are repeatable (seeded PRNG for any jitter).
 */
export interface SimClock {
  readonly timeScale: number;
  /** Run fn after `ms` of SIMULATED time (real delay = ms * timeScale). Returns a cancel function. */
  after(ms: number, fn: () => void): () => void;
  /** Seeded random number in [0, 1). */
  random(): number;
  cancelAll(): void;
}

/** mulberry32: tiny, fast, good enough for scheduling jitter (and seeded test campaigns). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function createClock(timeScale: number, seed: number): SimClock {
  const timers = new Set<NodeJS.Timeout>();
  const random = mulberry32(seed);
  return {
    timeScale,
    after(ms, fn) {
      const t = setTimeout(() => {
        timers.delete(t);
        fn();
      }, Math.max(0, ms * timeScale));
      timers.add(t);
      return () => {
        clearTimeout(t);
        timers.delete(t);
      };
    },
    random,
    cancelAll() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
