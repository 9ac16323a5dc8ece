import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** How often the worker checkpoints (PASSIVE: never waits for readers or the writer). */
const EVERY_MS = 250;
/**
 * WAL frames (pages) past which the worker also RESTARTs the log. A PASSIVE checkpoint copies the WAL back but
 * cannot start it over while commits keep coming, so under steady writes the WAL would grow for ever; RESTART waits
 * (briefly: RESTART_WAIT_MS, then tries again next tick) for a moment with no writer and starts it over.
 */
const RESTART_FRAMES = 2000;
const RESTART_WAIT_MS = 50;
/** Checkpoints failing this many ticks in a row (I/O errors, not busy): the worker gives up, the main connection checkpoints. */
const MAX_FAILURES = 40;
/** The WAL file is cut back to this when it starts over (it never shrinks otherwise). */
const WAL_SIZE_LIMIT = 64 * 1024 * 1024;
/** What SQLite's own automatic checkpoint would use (pages), restored if the worker goes away. */
const AUTO_PAGES = 1000;

/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside whichever commit crosses 1 000
 * pages of WAL, on the thread that commits: its writes and fsync held a call's claim or result for 20–130 ms
 * (bench:dialer's p99 tail). The service's connection therefore never checkpoints (wal_autocheckpoint = 0), and a
 * worker thread with a connection of its own runs PASSIVE checkpoints every EVERY_MS. Should the worker die, the
 * main connection takes its automatic checkpoints back, so the WAL can never grow without bound.
 * Answers the stop function (before the main connection closes: it then checkpoints and removes the WAL itself).
 */
export function startCheckpointer(main: Database.Database, file: string, onError: (err: unknown) => void): () => Promise<void> {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const Database = require(workerData.module);
    const db = new Database(workerData.file);
    db.pragma('busy_timeout = 1000');
    let failures = 0;
    const timer = setInterval(() => {
      try {
        const [r] = db.pragma('wal_checkpoint(PASSIVE)');
        if (r.log > workerData.restartFrames) {
          db.pragma('busy_timeout = ' + workerData.restartWaitMs);
          try { db.pragma('wal_checkpoint(RESTART)'); } finally { db.pragma('busy_timeout = 1000'); }
        }
        failures = 0;
      } catch (err) {
        if (err && err.code === 'SQLITE_BUSY') return; // the next tick tries again
        if (++failures >= workerData.maxFailures) process.exit(1);
      }
    }, workerData.everyMs);
    parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.postMessage('closed'); });
  `;
  main.pragma('wal_autocheckpoint = 0');
  main.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
  let stopping = false;
  const worker = new Worker(code, { eval: true, workerData: { file, everyMs: EVERY_MS, module, restartFrames: RESTART_FRAMES, restartWaitMs: RESTART_WAIT_MS, maxFailures: MAX_FAILURES } });
  worker.unref();
  const fallBack = (err: unknown) => {
    if (stopping) return;
    stopping = true;
    onError(err);
    if (main.open) main.pragma(`wal_autocheckpoint = ${AUTO_PAGES}`);
  };
  worker.on('error', fallBack);
  worker.on('exit', (code) => fallBack(new Error(`the checkpoint worker exited (${code})`)));
  return async () => {
    if (stopping) return;
    stopping = true;
    await new Promise<void>((resolve) => {
      const timeout = setTimeout(resolve, 2000).unref();
      worker.once('message', () => (clearTimeout(timeout), resolve()));
      worker.postMessage('close');
    });
    await worker.terminate();
  };
}
