import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { XLS_LIMITS } from './limits.js';

/** A cell as the parser hands it over: its value, or null when empty, an error (#N/A) or a stub. */
export type CellValue = string | number | boolean | null;

export type SheetRead =
  | { ok: true; rows: CellValue[][] }
  | { ok: false; message: string; tooLarge?: true; busy?: true };

/**
 * Runs in the worker: SheetJS reads the workbook and only the active sheet's first `maxRows` rows, columns
 * A..Z, go back as plain values. Plain CommonJS source, not a module file, so it works the same from the
 * TypeScript sources and from the esbuild bundle (which has no separate worker file to point at).
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
console.error = console.warn = console.log = () => {}; // SheetJS warns on odd files; keep hostile input out of the log
const XLSX = require(workerData.lib);
const wb = XLSX.read(workerData.bytes, { type: 'buffer', dense: true, sheetRows: workerData.maxRows,
  cellFormula: false, cellHTML: false, cellText: false, cellStyles: false, cellNF: false, cellDates: false });
const views = (wb.Workbook && wb.Workbook.WBView) || [];
const name = wb.SheetNames[(views[0] && views[0].activeTab) || 0] || wb.SheetNames[0];
const data = (name && wb.Sheets[name] && wb.Sheets[name]['!data']) || [];
const rows = [];
for (let r = 0; r < data.length && r < workerData.maxRows; r++) {
  const row = data[r] || [], out = [];
  for (let c = 0; c < 26 && c < row.length; c++) {
    const cell = row[c];
    out.push(cell && cell.t !== 'e' && cell.t !== 'z' && cell.v !== undefined ? (cell.v instanceof Date ? cell.v.toISOString() : cell.v) : null);
  }
  rows.push(out);
}
parentPort.postMessage(rows);
`;

const LIB = createRequire(import.meta.url).resolve('@e965/xlsx');

let running: Promise<unknown> = Promise.resolve();
let waiting = 0;

/**
 * Parse in a worker thread, one upload at a time: the service's call control keeps its event loop, a
 * hostile file that makes the parser loop or balloon is cut off by the deadline or the worker's heap cap,
 * and SheetJS (7 MB of code) is only loaded while a spreadsheet is being read.
 */
export async function readSheetRows(bytes: Buffer, maxRows: number): Promise<SheetRead> {
  if (waiting >= XLS_LIMITS.maxWaiting) return { ok: false, busy: true, message: 'error upload xls: too many spreadsheets being parsed, try again' };
  waiting++;
  const turn = running.then(() => {
    waiting--;
    return runWorker(bytes, maxRows);
  });
  running = turn.catch(() => undefined);
  return turn;
}

function runWorker(bytes: Buffer, maxRows: number): Promise<SheetRead> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: SheetRead) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(r);
    };
    const worker = new Worker(SOURCE, {
      eval: true,
      workerData: { lib: LIB, bytes, maxRows },
      resourceLimits: { maxOldGenerationSizeMb: XLS_LIMITS.workerHeapMb, stackSizeMb: 4 },
      stdout: true, // nothing the parser prints reaches the service's log
      stderr: true,
    });
    const timer = setTimeout(
      () => done({ ok: false, tooLarge: true, message: `error upload xls: the spreadsheet took longer than ${XLS_LIMITS.workerTimeoutMs / 1000} s to read` }),
      XLS_LIMITS.workerTimeoutMs,
    );
    worker.on('message', (rows: CellValue[][]) => done({ ok: true, rows }));
    worker.on('error', (err: NodeJS.ErrnoException) =>
      done(
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? { ok: false, tooLarge: true, message: `error upload xls: the spreadsheet needs more than ${XLS_LIMITS.workerHeapMb} MB to read` }
          : { ok: false, message: `error upload xls: broken spreadsheet (${err.message})` },
      ),
    );
    worker.on('exit', () => done({ ok: false, message: 'error upload xls: broken spreadsheet (the reader stopped)' }));
  });
}
