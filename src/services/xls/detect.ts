/** Which spreadsheet container a file is, and whether it came base64-encoded (1C) or raw (curl -F). */
export type Decoded =
  | { ok: true; kind: 'xls' | 'xlsx'; bytes: Buffer; encoding: 'binary' | 'base64' }
  | { ok: false; message: string };

const OLE2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]); // legacy .xls (BIFF in a compound file)
const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]); // .xlsx (also .ods, .xlsb: SheetJS reads them too)

const kindOf = (b: Buffer): 'xls' | 'xlsx' | null =>
  b.subarray(0, 8).equals(OLE2) ? 'xls' : b.subarray(0, 4).equals(ZIP) ? 'xlsx' : null;

/** Base64 as 1C's Base64Строка writes it: lines of 76 characters joined by CRLF, padded with "=". */
const BASE64_TEXT = /^[A-Za-z0-9+/\r\n\t ]*(={0,2})[\r\n\t ]*$/;

export const NOT_SPREADSHEET =
  'error upload xls: the file is not a spreadsheet (expected .xls or .xlsx, raw or base64-encoded)';

export function decodeUpload(raw: Buffer): Decoded {
  const direct = kindOf(raw);
  if (direct) return { ok: true, kind: direct, bytes: raw, encoding: 'binary' };
  // A raw spreadsheet never passes as base64 text: both magic numbers have bytes outside the alphabet.
  let text = raw.toString('latin1');
  if (text.startsWith('\xef\xbb\xbf')) text = text.slice(3); // a UTF-8 BOM some text writers add
  if (!BASE64_TEXT.test(text)) return { ok: false, message: NOT_SPREADSHEET };
  const compact = text.replace(/[\r\n\t ]+/g, '');
  if (compact.length === 0) return { ok: false, message: 'error upload xls: file is empty' };
  if (compact.length % 4 === 1) return { ok: false, message: 'error upload xls: broken base64 (truncated)' };
  const bytes = Buffer.from(compact, 'base64');
  const kind = kindOf(bytes);
  return kind ? { ok: true, kind, bytes, encoding: 'base64' } : { ok: false, message: NOT_SPREADSHEET };
}
