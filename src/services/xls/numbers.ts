import type { CellValue } from './worker.js';

export interface XlsNumber {
  number: string;
  clientId: string;
}

/**
 * The original's rule (fork ApiController::uploadXlsAction): from row 1 down, each row is a client whose
 * non-empty cells A..Z are its phones; the first row without one ends the list; clientId is the row number.
 * "Empty" is PHP's empty(): blank, 0 and "0" count as empty; so do whitespace-only strings here.
 */
export function rowsToNumbers(rows: CellValue[][], maxRows: number):
  | { ok: true; numbers: XlsNumber[] }
  | { ok: false; tooManyRows: true } {
  const numbers: XlsNumber[] = [];
  for (let r = 0; r < rows.length; r++) {
    const phones = (rows[r] ?? []).slice(0, 26).map(phoneText).filter((p) => p !== '');
    if (phones.length === 0) break;
    if (r >= maxRows) return { ok: false, tooManyRows: true };
    for (const number of phones) numbers.push({ number, clientId: String(r + 1) });
  }
  return { ok: true, numbers };
}

/**
 * A cell as a phone string. The original answered numeric cells as JSON numbers (79001234567, or
 * 79001234567.0 from .xls); strings are what 1C and POST /task take, and a JSON number in 1C turns into
 * "79 001 234 567". Whole numbers print every digit, never an exponent.
 */
export function phoneText(v: CellValue): string {
  if (v === null || v === false) return '';
  if (v === true) return '1'; // PHP's string of true
  if (typeof v === 'number') {
    if (v === 0 || !Number.isFinite(v)) return '';
    return Number.isInteger(v) && !Number.isSafeInteger(v) ? BigInt(v).toString() : String(v);
  }
  const s = v.trim();
  return s === '0' ? '' : s;
}
