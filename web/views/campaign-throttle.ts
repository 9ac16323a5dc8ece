/**
 * Coalescing of re-reads driven by the event stream: a busy campaign ends dozens of calls a second, and each
 * one asking for its own re-read would flood the server. Requests within `ms` of the last run, or while a run is
 * still waiting for its answer, fold into one run after it — so the last event is always followed by a read.
 */
import { useEffect, useRef } from 'preact/hooks';

export function useThrottled(run: () => Promise<void>, ms: number): () => void {
  const latest = useRef(run);
  latest.current = run;
  const s = useRef({ last: 0, running: false, again: false, timer: undefined as ReturnType<typeof setTimeout> | undefined, dead: false });

  useEffect(() => {
    s.current.dead = false;
    return () => {
      s.current.dead = true;
      clearTimeout(s.current.timer);
    };
  }, []);

  const fire = useRef(async () => {
    const st = s.current;
    st.timer = undefined;
    if (st.dead) return;
    st.running = true;
    st.last = Date.now();
    try {
      await latest.current();
    } finally {
      st.running = false;
      if (st.again) {
        st.again = false;
        request.current();
      }
    }
  });

  const request = useRef(() => {
    const st = s.current;
    if (st.dead) return;
    if (st.running) return void (st.again = true);
    if (st.timer) return;
    st.timer = setTimeout(() => void fire.current(), Math.max(0, st.last + ms - Date.now()));
  });
  return request.current;
}
