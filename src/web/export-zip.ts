import { promisify } from 'node:util';
import * as zlib from 'node:zlib';

const deflateRaw = promisify(zlib.deflateRaw) as (buf: Buffer, o: zlib.ZlibOptions) => Promise<Buffer>;
/** The last block of a deflate stream, empty (what zlib writes to finish one with no more input). */
const FINAL_BLOCK = zlib.deflateRawSync(Buffer.alloc(0));

/** CRC-32 of zip entries: node's own where it has one (20.15+), else a table. */
const crc32: (data: Buffer, value: number) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? (zlib as unknown as { crc32: (d: Buffer, v: number) => number }).crc32 : tableCrc32;

let table: Uint32Array | undefined;
function tableCrc32(data: Buffer, value: number): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~value >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

interface Written {
  name: Buffer;
  crc: number;
  compressed: number;
  size: number;
  offset: number;
}

const FLAGS = 0x0808; // bit 3: sizes and CRC follow the data; bit 11: the name is UTF-8
const LIMIT = 0xffffffff; // no ZIP64: an entry or the whole file past 4 GiB cannot be described

/**
 * A zip written as it goes (what an .xlsx is): each entry's data is deflated piece by piece as it comes, its CRC and
 * sizes written after it (a data descriptor), the directory at the end, so nothing but the current piece is held.
 * Each piece is deflated on its own (zlib's thread pool, off the event loop) and ends with a sync flush: the pieces
 * joined, then an empty final block, are one valid deflate stream. No ZIP64: past 4 GiB it throws.
 */
export class ZipStream {
  private offset = 0;
  private readonly entries: Written[] = [];

  async *entry(name: string, data: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
    const e: Written = { name: Buffer.from(name), crc: 0, compressed: 0, size: 0, offset: this.offset };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(FLAGS, 6);
    local.writeUInt16LE(8, 8); // deflate
    writeDosTime(local, 10);
    // CRC and sizes (14..25) stay 0: they are in the data descriptor
    local.writeUInt16LE(e.name.length, 26);
    yield this.out(Buffer.concat([local, e.name]));
    for await (const piece of data) {
      if (piece.length === 0) continue;
      e.crc = crc32(piece, e.crc);
      e.size += piece.length;
      const packed = await deflateRaw(piece, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      e.compressed += packed.length;
      yield this.out(packed);
    }
    e.compressed += FINAL_BLOCK.length;
    yield this.out(FINAL_BLOCK);
    if (e.size > LIMIT || e.compressed > LIMIT) throw new Error(`zip entry ${name} is over 4 GiB`);
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(e.crc, 4);
    descriptor.writeUInt32LE(e.compressed, 8);
    descriptor.writeUInt32LE(e.size, 12);
    yield this.out(descriptor);
    this.entries.push(e);
  }

  /** The central directory and its end record. */
  *end(): Generator<Buffer> {
    const start = this.offset;
    for (const e of this.entries) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(0x02014b50, 0);
      h.writeUInt16LE(20, 4); // made by: 2.0, MS-DOS attributes
      h.writeUInt16LE(20, 6);
      h.writeUInt16LE(FLAGS, 8);
      h.writeUInt16LE(8, 10);
      writeDosTime(h, 12);
      h.writeUInt32LE(e.crc, 16);
      h.writeUInt32LE(e.compressed, 20);
      h.writeUInt32LE(e.size, 24);
      h.writeUInt16LE(e.name.length, 28);
      h.writeUInt32LE(e.offset, 42);
      yield this.out(Buffer.concat([h, e.name]));
    }
    const eocd = Buffer.alloc(22);
    eocd.writeUInt32LE(0x06054b50, 0);
    eocd.writeUInt16LE(this.entries.length, 8);
    eocd.writeUInt16LE(this.entries.length, 10);
    eocd.writeUInt32LE(this.offset - start, 12);
    eocd.writeUInt32LE(start, 16);
    yield this.out(eocd);
  }

  private out(b: Buffer): Buffer {
    this.offset += b.length;
    if (this.offset > LIMIT) throw new Error('the zip is over 4 GiB');
    return b;
  }
}

/** Now, as MS-DOS time and date (local time, 2-second steps), at `at` in the header. */
function writeDosTime(b: Buffer, at: number) {
  const d = new Date();
  b.writeUInt16LE((d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1), at);
  b.writeUInt16LE(((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(), at + 2);
}
