import { decodeUpload } from './detect.js';
import { XLS_LIMITS } from './limits.js';
import { rowsToNumbers, type XlsNumber } from './numbers.js';
import { readSheetRows } from './worker.js';
import { checkZip } from './zip-guard.js';

export { xlsMaxBody, XLS_LIMITS } from './limits.js';
export type { XlsNumber } from './numbers.js';

/** A refusal and the HTTP status that names its kind: 400 bad file, 413 too big, 503 parser busy. */
export type XlsOutcome = { ok: true; numbers: XlsNumber[] } | { ok: false; status: 400 | 413 | 503; message: string };

/** The uploaded file (raw or base64) → the phones of its clients. Nothing is written anywhere. */
export async function parseXlsUpload(raw: Buffer): Promise<XlsOutcome> {
  if (raw.length === 0) return { ok: false, status: 400, message: 'error upload xls: file is empty' };
  const file = decodeUpload(raw);
  if (!file.ok) return { ok: false, status: 400, message: file.message };
  if (file.kind === 'xlsx') {
    const zip = await checkZip(file.bytes);
    if (!zip.ok) return { ok: false, status: zip.tooLarge ? 413 : 400, message: zip.message };
  }
  // One row past the cap tells "more rows than allowed" from "exactly the cap".
  const sheet = await readSheetRows(file.bytes, XLS_LIMITS.maxRows + 1);
  if (!sheet.ok) return { ok: false, status: sheet.busy ? 503 : sheet.tooLarge ? 413 : 400, message: sheet.message };
  const out = rowsToNumbers(sheet.rows, XLS_LIMITS.maxRows);
  if (!out.ok) return { ok: false, status: 413, message: `error upload xls: more than ${XLS_LIMITS.maxRows} rows of numbers` };
  if (out.numbers.length > XLS_LIMITS.maxNumbers) {
    return { ok: false, status: 413, message: `error upload xls: more than ${XLS_LIMITS.maxNumbers} numbers` };
  }
  return { ok: true, numbers: out.numbers };
}
