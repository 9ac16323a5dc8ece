import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import { normaliseNumber, phoneIdOf } from '../../domain/phone.js';
import { fail, ok, type Outcome, type ServiceCtx } from '../context.js';
import { insertDnc, type DncEntry } from './store.js';

/**
 * POST /dnc/import: a CSV file whose rows are numbers. Decision: **a file with a bad row imports nothing** (the
 * answer lists the bad rows by line number), so a wrong file (a spreadsheet, another export) never half-fills
 * the list. To keep that promise without holding a million numbers in memory or a transaction open while the
 * upload trickles in, the file is read twice:
 * 1. streamed line by line: every row checked, the normalised numbers written to a temp file (one a line);
 * 2. only if every row was right, the temp file is read back and stored, 5 000 numbers per transaction (short
 *    transactions: the dialer keeps recording calls meanwhile). A crash in step 2 leaves a part imported;
 *    importing the file again completes it (a number already listed is kept as it is).
 *
 * Format: one number a row, in the first column, or in the column whose header is phone / number / телефон /
 * номер; `;` or `,` separated; double quotes around a cell are removed; an optional header (a first row whose
 * cell is not a number and contains a letter); a UTF-8 BOM is stripped; blank rows are skipped; CRLF or LF.
 */

export interface DncImported {
  taskId: number;
  rows: number;
  added: number;
  alreadyListed: number;
}

const MAX_LISTED_ERRORS = 20;
const ROWS_PER_TX = 5000;
const HEADER_NAMES = new Set(['phone', 'number', 'phones', 'numbers', 'телефон', 'номер', 'msisdn']);

const cells = (line: string) => line.split(/[;,]/).map((c) => c.trim().replace(/^"(.*)"$/, '$1').trim());

export async function importDncCsv(ctx: ServiceCtx, input: Readable, o: { taskId: number; reason: string }): Promise<Outcome<DncImported>> {
  const tmpRoot = join(ctx.config.dataDir, 'tmp');
  await mkdir(tmpRoot, { recursive: true });
  const dir = await mkdtemp(join(tmpRoot, 'dnc-'));
  const staged = join(dir, 'numbers.txt');
  try {
    const checked = await checkAndStage(input, staged);
    if (checked.errors.length) {
      const listed = checked.errors.slice(0, MAX_LISTED_ERRORS);
      const more = checked.badRows > listed.length ? [`... and ${checked.badRows - listed.length} more bad rows`] : [];
      return fail([`Nothing imported: ${checked.badRows} of ${checked.rows + checked.badRows} rows are not phone numbers`, ...listed, ...more]);
    }
    if (checked.rows === 0) return fail('Nothing imported: the file has no numbers');
    const added = await storeStaged(ctx, staged, o);
    ctx.log.info({ taskId: o.taskId, rows: checked.rows, added }, 'do-not-call list imported');
    return ok({ taskId: o.taskId, rows: checked.rows, added, alreadyListed: checked.rows - added });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function checkAndStage(input: Readable, staged: string): Promise<{ rows: number; badRows: number; errors: string[] }> {
  const out = createWriteStream(staged);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let column = 0;
  let seenData = false;
  let rows = 0;
  let badRows = 0;
  const errors: string[] = [];
  try {
    for await (let line of lines) {
      lineNo++;
      if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      if (line.trim() === '') continue;
      const row = cells(line);
      if (!seenData) {
        seenData = true;
        const named = row.findIndex((c) => HEADER_NAMES.has(c.toLowerCase()));
        const isHeader = named >= 0 || (!normaliseNumber(row[0] ?? '').ok && /\p{L}/u.test(line));
        if (isHeader) {
          column = Math.max(0, named);
          continue;
        }
      }
      const raw = row[column] ?? '';
      const n = normaliseNumber(raw);
      if (!n.ok) {
        badRows++;
        if (errors.length < MAX_LISTED_ERRORS) errors.push(`Line ${lineNo}: "${raw.slice(0, 40)}" ${n.reason}`);
        continue;
      }
      rows++;
      if (!out.write(`${n.number}\n`)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return { rows, badRows, errors };
}

async function storeStaged(ctx: ServiceCtx, staged: string, o: { taskId: number; reason: string }): Promise<number> {
  const now = ctx.now();
  let added = 0;
  let chunk: DncEntry[] = [];
  const flush = async () => {
    const entries = chunk;
    chunk = [];
    added += await ctx.db.tx((q) => insertDnc(q, o.taskId, entries, o.reason, now));
  };
  for await (const phone of createInterface({ input: createReadStream(staged), crlfDelay: Infinity })) {
    if (!phone) continue;
    chunk.push({ phone, phoneId: phoneIdOf(phone) });
    if (chunk.length >= ROWS_PER_TX) await flush();
  }
  if (chunk.length) await flush();
  return added;
}
