import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

/** How often the worker checkpoints (PASSIVE: never waits for readers or the writer). */
const EVERY_MS = 250;
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
    const timer = setInterval(() => {
      try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy: the next tick tries again */ }
    }, workerData.everyMs);
    parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.postMessage('closed'); });
  `;
  main.pragma('wal_autocheckpoint = 0');
  let stopping = false;
  const worker = new Worker(code, { eval: true, workerData: { file, everyMs: EVERY_MS, module } });
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
