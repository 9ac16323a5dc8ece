import type { Logger } from '../../src/logger.js';
import type { SpeechRecognizer } from '../../src/ports.js';
import type { Answer, WriteResult } from './results.js';

/** How long one recognition may take before we give up on it (the recognizer itself is bounded at 10 s). */
export const RECOGNITION_TIMEOUT_MS = 15_000;

/**
 * Speech recognition of playback_record answers, run beside the call: the survey goes on while a recording
 * is being recognised, and the row gets recognizedText / recognizeLabel when the text comes back. Nothing here
 * is tied to the call's session: a customer who hangs up right after answering still gets the answer
 * recognised. A recognition that fails or times out leaves recognizedText NULL and logs a warning.
 */
export function createRecognitions(deps: { recognizer?: SpeechRecognizer; write: WriteResult; log: Logger; timeoutMs?: number }) {
  const pending = new Set<Promise<void>>();
  const timeoutMs = deps.timeoutMs ?? RECOGNITION_TIMEOUT_MS;

  async function recognize(answer: Answer, wavPath: string, lang: string, label: string | null): Promise<void> {
    const log = deps.log.child({ question: answer.questionCrmId, recording: wavPath });
    const recognizer = deps.recognizer;
    if (!recognizer || !(await recognizer.configured().catch(() => false))) {
      log.warn('needRecognize is set but speech recognition is not configured; the recording is kept, recognizedText stays empty');
      return;
    }
    const abort = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<{ ok: false; message: string }>((resolve) => {
      timer = setTimeout(() => {
        abort.abort();
        resolve({ ok: false, message: `no answer within ${timeoutMs} ms` });
      }, timeoutMs);
    });
    const started = Date.now();
    try {
      const r = await Promise.race([recognizer.recognize(wavPath, lang, abort.signal), timedOut]);
      if (!r.ok) {
        log.warn({ reason: r.message, ms: Date.now() - started }, 'speech recognition failed; recognizedText stays empty');
        return;
      }
      await deps.write.recognized(answer, r.text, label);
      log.info({ ms: Date.now() - started, chars: r.text.length }, 'recording recognised');
    } catch (err) {
      log.warn({ err }, 'speech recognition failed; recognizedText stays empty');
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    /** Start recognising `wavPath` for `answer`; never throws, never waits. */
    start(answer: Answer, wavPath: string, lang: string, label: string | null): void {
      const p = recognize(answer, wavPath, lang, label);
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
    /**
     * Wait (at most `ms` real time, or until `signal` aborts) for the recognitions started so far, so a
     * read-back or the CRM gets the text. Answers whether all of them had finished.
     */
    async settle(ms: number, signal: AbortSignal): Promise<boolean> {
      if (pending.size === 0) return true;
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const bounded = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
        onAbort = () => resolve(false);
        signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        return await Promise.race([Promise.allSettled([...pending]).then(() => true as const), bounded]);
      } finally {
        clearTimeout(timer);
        if (onAbort) signal.removeEventListener('abort', onAbort);
      }
    },
    get pending(): number {
      return pending.size;
    },
  };
}

export type Recognitions = ReturnType<typeof createRecognitions>;
