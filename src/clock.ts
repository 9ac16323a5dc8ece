/**
 * Time as the dialer sees it. `now()` is wall-clock milliseconds (injectable for window tests);
 * `scale` shrinks the dialer's own waits (question timeouts, retry intervals, deadlines) so tests and
 * demos can run a campaign in seconds. Telephony timeouts sent to Asterisk are NOT scaled here: the
 * simulator applies its own time scale to them.
 */
export interface Clock {
  now(): number;
  /** Milliseconds of real waiting for a nominal duration. */
  scaled(ms: number): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export function createClock(scale = 1, now: () => number = Date.now): Clock {
  return {
    now,
    scaled: (ms) => ms * scale,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const t = setTimeout(done, ms * scale);
        function done() {
          clearTimeout(t);
          signal?.removeEventListener('abort', done);
          resolve();
        }
        signal?.addEventListener('abort', done, { once: true });
      }),
  };
}
