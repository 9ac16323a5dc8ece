/**
 * JSON that is already serialised (e.g. 10 000 result rows rendered by SQLite), embedded in a response as
 * is: no per-row JS objects, no second stringify, and cached answers cost nothing to send again.
 *
 * Held as UTF-8 bytes in chunks of about 32 K characters (32–96 KB), not as one string. Why: a 10 000-row answer as a single JS
 * string is 4–8 MB of V8 heap (two bytes a character once any row holds Cyrillic) that lives long enough
 * to be promoted, so a CRM reading big answers back to back grew the service by 100 MB before a major GC.
 * Encoded a chunk at a time, each piece of text dies young and the answer waits outside the heap.
 */
export class RawJson {
  /** Use array() / object(); built directly only by JsonWriter. */
  constructor(
    readonly chunks: readonly Buffer[],
    readonly byteLength: number,
  ) {}

  /** A JSON array of already-serialised elements, read one by one (e.g. straight off a SQLite iterator). */
  static array(elements: Iterable<string>): RawJson {
    return new ArrayWriter().add(elements).finish();
  }

  /**
   * A JSON array of already-serialised elements that arrive a page at a time (a database read in pages): each
   * page is encoded and let go before the next is read, so a 100 000-row answer never sits in the heap at once.
   */
  static async arrayOfPages(pages: AsyncIterable<Iterable<string>>): Promise<RawJson> {
    const a = new ArrayWriter();
    for await (const page of pages) a.add(page);
    return a.finish();
  }

  /** A JSON object whose values are plain values or RawJson, in the given key order. */
  static object(fields: Record<string, unknown>): RawJson {
    const w = new JsonWriter();
    w.write('{');
    let first = true;
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue; // as JSON.stringify: an undefined field is left out
      w.write(`${first ? '' : ','}${JSON.stringify(k)}:`);
      w.value(v);
      first = false;
    }
    w.write('}');
    return w.finish();
  }

  /** The whole JSON text (tests, small answers). */
  get text(): string {
    return Buffer.concat(this.chunks as Buffer[], this.byteLength).toString('utf8');
  }
}

/** JSON text of a value; RawJson is taken as it is. */
export function toJson(value: unknown): string {
  return value instanceof RawJson ? value.text : (JSON.stringify(value) ?? 'null');
}

const CHUNK_CHARS = 32 * 1024;

/** Appends JSON text, encoding it to UTF-8 every ~32 K characters; RawJson values are linked, not copied. */
class JsonWriter {
  private pending = '';
  private readonly chunks: Buffer[] = [];
  private bytes = 0;

  write(s: string): void {
    this.pending += s;
    if (this.pending.length >= CHUNK_CHARS) this.flush();
  }

  value(v: unknown): void {
    if (!(v instanceof RawJson)) return this.write(JSON.stringify(v) ?? 'null');
    this.flush();
    for (const c of v.chunks) this.chunks.push(c);
    this.bytes += v.byteLength;
  }

  finish(): RawJson {
    this.flush();
    return new RawJson(this.chunks, this.bytes);
  }

  private flush(): void {
    if (!this.pending) return;
    const b = Buffer.from(this.pending, 'utf8');
    this.pending = '';
    this.chunks.push(b);
    this.bytes += b.length;
  }
}

/** A JSON array written element by element, in as many batches as they come. */
class ArrayWriter {
  private readonly w = new JsonWriter();
  private first = true;
  constructor() {
    this.w.write('[');
  }
  add(elements: Iterable<string>): this {
    for (const e of elements) {
      if (!this.first) this.w.write(',');
      this.w.write(e);
      this.first = false;
    }
    return this;
  }
  finish(): RawJson {
    this.w.write(']');
    return this.w.finish();
  }
}
