import { createWriteStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { receiveFirstFile, tooLargeMessage } from '../api/multipart-file.js';
import { xlsMaxBody } from '../services/xls/index.js';
import { readSheetRows, type CellValue } from '../services/xls/worker.js';
import { checkZip } from '../services/xls/zip-guard.js';

/** What an import request carried, or why it cannot be read (HTTP status and message; the field is `file`). */
export type ReceivedImport =
  | { ok: true; kind: 'csv'; path: string }
  | { ok: true; kind: 'sheet'; rows: CellValue[][] }
  | { ok: false; status: 400 | 413 | 415 | 500 | 503; error: string };

/** Rows an imported spreadsheet may have: parsed whole in a worker whose heap is capped (xls/limits.ts). */
export const SHEET_MAX_ROWS = 200_000;

const HOW = 'send the file as multipart/form-data field "file", or as the request body with Content-Type text/csv or the .xlsx type';

/**
 * The file of POST /cockpit/api/campaigns/:id/import, stored in `dir` as it streams in (never whole in memory), the
 * body counted against `maxBytes` as it comes: multipart/form-data (its first file, as POST /audio and /dnc/import
 * take it), or the body itself. What it is comes from its first bytes, not its name or type: a zip (.xlsx) or an
 * OLE2 file (.xls) is a spreadsheet, read by the /upload-xls reader (zip-bomb check, worker, caps); anything else is CSV.
 */
export async function receiveImport(req: Request, dir: string, maxBytes: number): Promise<ReceivedImport> {
  const type = (req.headers.get('content-type') ?? '').toLowerCase();
  let path = join(dir, 'upload');
  if (/^multipart\/form-data\b/.test(type)) {
    const file = await receiveFirstFile(req, { tempPath: async () => path, checkName: () => null, maxBytes });
    if (!file.ok) return { ok: false, status: file.tooLarge ? 413 : file.serverFault ? 500 : 400, error: file.message.replace(/^error upload file: /, 'Nothing imported: ') };
    path = file.path;
  } else if (/^(application\/json|application\/x-www-form-urlencoded)\b/.test(type)) {
    return { ok: false, status: 415, error: `Nothing imported: ${HOW}` };
  } else {
    const body = await bodyToFile(req, path, maxBytes);
    if (body) return body;
  }

  const kind = await sniff(path);
  if (kind === 'csv') return { ok: true, kind, path };
  const max = xlsMaxBody(maxBytes);
  if ((await stat(path)).size > max) return { ok: false, status: 413, error: `Nothing imported: a spreadsheet may be at most ${max} bytes; save it as CSV` };
  const bytes = await readFile(path);
  if (kind === 'xlsx') {
    const zip = await checkZip(bytes);
    if (!zip.ok) return { ok: false, status: zip.tooLarge ? 413 : 400, error: sheetMessage(zip.message) };
  }
  // one row past the cap tells "too many" from "exactly the cap"
  const sheet = await readSheetRows(bytes, SHEET_MAX_ROWS + 1);
  if (!sheet.ok) return { ok: false, status: sheet.busy ? 503 : sheet.tooLarge ? 413 : 400, error: sheetMessage(sheet.message) };
  if (sheet.rows.length > SHEET_MAX_ROWS) return { ok: false, status: 413, error: `Nothing imported: the spreadsheet has more than ${SHEET_MAX_ROWS} rows; save it as CSV` };
  return { ok: true, kind: 'sheet', rows: sheet.rows };
}

/** The spreadsheet reader's words, without the /upload-xls prefix. */
const sheetMessage = (m: string) => `Nothing imported: ${m.replace(/^error upload xls: /, '')}`;

/** A plain body to `path`, counted; an answer only when it failed. */
async function bodyToFile(req: Request, path: string, maxBytes: number): Promise<ReceivedImport | null> {
  const tooLarge: ReceivedImport = { ok: false, status: 413, error: tooLargeMessage(maxBytes) };
  if (Number(req.headers.get('content-length') ?? 0) > maxBytes) return tooLarge;
  if (!req.body) return { ok: false, status: 400, error: `Nothing imported: the request has no file; ${HOW}` };
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, next) {
      seen += chunk.length;
      next(seen > maxBytes ? new Error('over the limit') : null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(req.body as WebReadableStream<Uint8Array>), counter, createWriteStream(path));
  } catch (err) {
    if (seen > maxBytes) return tooLarge;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || code === 'EACCES' || code === 'EROFS') return { ok: false, status: 500, error: `Nothing imported: the server could not store the file (${code})` };
    return { ok: false, status: 400, error: `Nothing imported: the body could not be read (${(err as Error).message})` };
  }
  if (seen === 0) return { ok: false, status: 400, error: `Nothing imported: the file is empty; ${HOW}` };
  return null;
}

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]); // .xlsx
const OLE2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]); // legacy .xls

async function sniff(path: string): Promise<'csv' | 'xlsx' | 'xls'> {
  const f = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await f.read(head, 0, 8, 0);
    if (bytesRead >= 4 && head.subarray(0, 4).equals(ZIP)) return 'xlsx';
    if (bytesRead === 8 && head.equals(OLE2)) return 'xls';
    return 'csv';
  } finally {
    await f.close();
  }
}
