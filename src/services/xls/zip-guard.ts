import { inflateRaw } from 'node:zlib';
import { promisify } from 'node:util';
import { XLS_LIMITS } from './limits.js';

const inflate = promisify(inflateRaw) as (buf: Buffer, o: { maxOutputLength: number }) => Promise<Buffer>;

export type ZipCheck = { ok: true } | { ok: false; message: string; tooLarge?: true };

/**
 * Vet an .xlsx (zip) before SheetJS sees it. SheetJS unpacks every entry eagerly, with a pure-JS inflater
 * that allocates the size an entry declares and, when none is declared, grows without bound: a zip bomb or
 * a forged size would take the process's memory. So walk the zip the way SheetJS does (last end record,
 * central directory, local headers), and unpack each entry here with node's zlib, off the event loop and
 * capped, counting the larger of declared and real sizes. Only zips whose every entry inflates cleanly pass.
 */
export async function checkZip(b: Buffer): Promise<ZipCheck> {
  const broken = (why: string): ZipCheck => ({ ok: false, message: `error upload xls: broken .xlsx (${why})` });
  const tooBig = (): ZipCheck => ({
    ok: false,
    tooLarge: true,
    message: `error upload xls: the .xlsx unpacks to more than ${XLS_LIMITS.maxUnpackedBytes} bytes`,
  });
  let eocd = b.length - 4; // SheetJS takes the last end-of-central-directory signature in the file
  while (eocd >= 0 && b.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0 || eocd + 22 > b.length) return broken('no zip directory');
  const count = b.readUInt16LE(eocd + 8);
  if (count === 0) return broken('empty zip');
  if (count > XLS_LIMITS.maxZipEntries) return { ok: false, tooLarge: true, message: `error upload xls: the .xlsx has more than ${XLS_LIMITS.maxZipEntries} parts` };
  let p = b.readUInt32LE(eocd + 16);
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > b.length || b.readUInt32LE(p) !== 0x02014b50) return broken('bad directory entry');
    const cdSizes = [b.readUInt32LE(p + 20), b.readUInt32LE(p + 24)];
    const nameLen = b.readUInt16LE(p + 28);
    const extraLen = b.readUInt16LE(p + 30);
    const at = b.readUInt32LE(p + 42);
    cdSizes.push(...zip64Sizes(b, p + 46 + nameLen, extraLen));
    p += 46 + nameLen + extraLen + b.readUInt16LE(p + 32);

    if (at + 30 > b.length || b.readUInt32LE(at) !== 0x04034b50) return broken('bad local header');
    const flags = b.readUInt16LE(at + 6);
    const method = b.readUInt16LE(at + 8);
    if (flags & 0x2041) return { ok: false, message: 'error upload xls: the .xlsx is encrypted' };
    const csz = b.readUInt32LE(at + 18);
    const lNameLen = b.readUInt16LE(at + 26);
    const lExtraLen = b.readUInt16LE(at + 28);
    const declared = Math.max(...cdSizes, csz, b.readUInt32LE(at + 22), ...zip64Sizes(b, at + 30 + lNameLen, lExtraLen));
    if (declared > XLS_LIMITS.maxUnpackedBytes) return tooBig();
    const start = at + 30 + lNameLen + lExtraLen;
    if (start > b.length) return broken('entry past the end');
    let real: number;
    if (method === 0) real = csz;
    else if (method === 8) {
      // csz 0 with a data descriptor (flag 8): the stream runs to its own end; zlib stops there
      const end = csz > 0 ? start + csz : b.length;
      if (end > b.length) return broken('entry past the end');
      try {
        real = (await inflate(b.subarray(start, end), { maxOutputLength: XLS_LIMITS.maxUnpackedBytes - total + 1 })).length;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return tooBig();
        return broken(`corrupt compressed data: ${(err as Error).message}`);
      }
    } else return broken(`unsupported compression method ${method}`);
    total += Math.max(real, declared);
    if (total > XLS_LIMITS.maxUnpackedBytes) return tooBig();
  }
  return { ok: true };
}

/** The 8-byte sizes of a ZIP64 extra field (id 1), which SheetJS prefers over the 32-bit ones. */
function zip64Sizes(b: Buffer, from: number, len: number): number[] {
  const out: number[] = [];
  for (let q = from; q + 4 <= from + len && q + 4 <= b.length; ) {
    const id = b.readUInt16LE(q);
    const size = b.readUInt16LE(q + 2);
    if (id === 1) for (let k = q + 4; k + 8 <= q + 4 + size && k + 8 <= b.length; k += 8) out.push(Number(b.readBigUInt64LE(k)));
    q += 4 + size;
  }
  return out;
}
