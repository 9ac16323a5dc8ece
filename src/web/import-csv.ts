import { createReadStream } from 'node:fs';

/** One CSV record: its cells (trimmed, quotes removed) and the line of the file it starts on (1-based). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

export type CsvEncoding = 'utf-8' | 'windows-1251';

/** The file is not valid UTF-8: the caller reads it again as windows-1251 (what Russian Excel's plain "CSV" saves). */
export class NotUtf8 extends Error {}

/** A record longer than this is refused: an unclosed quote would otherwise read the rest of the file into one cell. */
export const MAX_RECORD_CHARS = 100_000;

/** Thrown for a record over MAX_RECORD_CHARS; names the line it starts on. */
export class CsvTooLong extends Error {
  constructor(readonly line: number) {
    super(`Line ${line}: the row is longer than ${MAX_RECORD_CHARS} characters (a quote that is never closed?)`);
  }
}

/**
 * The records of a CSV file, streamed: the records of each 64 KB read come as one batch (memory is a batch, not
 * the file; a batch, not a record at a time, because each await costs more than reading a record). The delimiter
 * is `;` when the first line has more `;` than `,` outside quotes (Russian Excel writes `;`), else `,`. Quoted
 * cells may hold the delimiter, doubled quotes and line breaks; a UTF-8 BOM is dropped; CRLF or LF; cells trimmed.
 * With `utf-8` an invalid byte throws NotUtf8 (see above); `windows-1251` decodes every byte.
 * Not the do-not-call import's splitter (dnc/import-csv.ts): that one takes one number a row and splits on
 * both separators, so a quoted cell holding `,` (a name, an address in params) would break apart there.
 */
export async function* csvRecords(path: string, encoding: CsvEncoding): AsyncGenerator<CsvRecord[]> {
  const decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8' });
  const parser = new CsvParser();
  const decode = (chunk?: Buffer) => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch (err) {
      if (err instanceof TypeError && encoding === 'utf-8') throw new NotUtf8('not UTF-8');
      throw err;
    }
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 })) {
    const batch = parser.push(decode(chunk as Buffer));
    if (batch.length) yield batch;
  }
  const last = [...parser.push(decode()), ...parser.end()];
  if (last.length) yield last;
}

/** Counts `;` and `,` outside quotes in the first line. */
function delimiterOf(firstLine: string): ',' | ';' {
  let quoted = false;
  let semicolons = 0;
  let commas = 0;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ';') semicolons++;
    else if (!quoted && ch === ',') commas++;
  }
  return semicolons > commas ? ';' : ',';
}

/** A push parser: text in any chunks, complete records out. */
class CsvParser {
  private delimiter: string | undefined;
  /** Outside quotes: the next delimiter, line break or quote. */
  private special = /[,\n"]/g;
  /** Text before the first line break, kept until the delimiter can be told. */
  private head = '';
  private cells: string[] = [];
  private cell = '';
  /** In a quoted cell; `afterQuote`: just read a quote inside one (closing, or the first of a doubled one). */
  private quoted = false;
  private afterQuote = false;
  /** The current cell began with a quote (spaces before it allowed): a later quote in it is a character. */
  private wasQuoted = false;
  private line = 1;
  private recordLine = 1;
  private chars = 0;

  push(text: string): CsvRecord[] {
    if (this.delimiter === undefined) {
      this.head += text;
      const nl = this.head.indexOf('\n');
      if (nl < 0 && this.head.length <= MAX_RECORD_CHARS) return [];
      this.setDelimiter(nl < 0 ? this.head : this.head.slice(0, nl));
      text = this.head;
      this.head = '';
    }
    return this.scan(text);
  }

  end(): CsvRecord[] {
    const out = this.delimiter === undefined ? (this.setDelimiter(this.head), this.scan(this.head)) : [];
    if (this.cells.length > 0 || this.cell !== '' || this.quoted) out.push(this.finish());
    return out;
  }

  private setDelimiter(firstLine: string) {
    this.delimiter = delimiterOf(firstLine);
    this.special = this.delimiter === ';' ? /[;\n"]/g : /[,\n"]/g;
  }

  private scan(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let i = 0;
    while (i < text.length) {
      if (this.quoted) {
        if (this.afterQuote) {
          this.afterQuote = false;
          if (text[i] === '"') {
            this.add('"');
            i++;
            continue;
          }
          this.quoted = false; // that quote closed the cell; what follows is read outside it
          continue;
        }
        const q = text.indexOf('"', i);
        const piece = text.slice(i, q < 0 ? text.length : q);
        for (let n = piece.indexOf('\n'); n >= 0; n = piece.indexOf('\n', n + 1)) this.line++;
        this.add(piece);
        if (q < 0) break;
        this.afterQuote = true;
        i = q + 1;
        continue;
      }
      this.special.lastIndex = i;
      const m = this.special.exec(text);
      const at = m ? m.index : text.length;
      if (at > i) this.add(text.slice(i, at));
      if (!m) break;
      i = at + 1;
      const ch = m[0];
      if (ch === '"') {
        if (!this.wasQuoted && this.cell.trim() === '') {
          this.quoted = this.wasQuoted = true;
          this.cell = '';
        } else this.add('"'); // a quote inside an unquoted cell, or after a closed one: kept as typed
      } else if (ch === '\n') {
        out.push(this.finish());
        this.line++;
        this.recordLine = this.line;
      } else this.nextCell();
    }
    return out;
  }

  private add(s: string) {
    this.chars += s.length;
    if (this.chars > MAX_RECORD_CHARS) throw new CsvTooLong(this.recordLine);
    this.cell += s;
  }

  private nextCell() {
    this.cells.push(this.cell.trim()); // trims the CR of CRLF too
    this.cell = '';
    this.wasQuoted = false;
  }

  private finish(): CsvRecord {
    // a file ending inside a quoted cell: what was read is the cell
    this.quoted = this.afterQuote = false;
    this.nextCell();
    const record = { line: this.recordLine, cells: this.cells };
    this.cells = [];
    this.chars = 0;
    return record;
  }
}
