/**
 * Caps for POST /upload-xls. A spreadsheet is parsed whole in memory (SheetJS needs all of it), and parsing
 * costs far more than the file: a 4 MB .xls of 65 536 rows peaks at ~150 MB in the parser. The caps keep one
 * upload well inside the service's memory budget; 1C call lists are hundreds to a few thousand rows.
 */
export const XLS_LIMITS = {
  /** Request body (base64 adds a third): min(DIALER_MAX_UPLOAD_BYTES, this). */
  maxBodyBytes: 8 * 1024 * 1024,
  /** Rows (clients) read before the first empty row; more is refused, not cut short silently. */
  maxRows: 50_000,
  /** Answer size guard: A..Z of every row can be filled. */
  maxNumbers: 200_000,
  /** .xlsx is a zip: entries, and bytes once unpacked (zip bombs), each entry and all together. */
  maxZipEntries: 1_000,
  maxUnpackedBytes: 32 * 1024 * 1024,
  /** The parser runs in a worker with its own heap cap and a deadline (hostile files, parser bugs). */
  workerHeapMb: 192,
  workerTimeoutMs: 20_000,
  /** Uploads waiting for the one parser worker; more are refused with 503. */
  maxWaiting: 3,
} as const;

export const xlsMaxBody = (maxUploadBytes: number) => Math.min(maxUploadBytes, XLS_LIMITS.maxBodyBytes);
