import busboy from 'busboy';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export type Received = { ok: true; bytes: Buffer } | { ok: false; message: string; tooLarge?: true };

/**
 * The uploaded spreadsheet, held in memory (the parser needs it whole, and nothing is left on disk):
 * multipart/form-data → the first file part, whatever its field name (1C names the field after the file);
 * failing that the first non-empty plain field; any other body is the file itself. Counted as it streams,
 * refused past `max` bytes, and refused at once when the declared Content-Length is already over.
 */
export async function receiveSpreadsheet(req: Request, max: number): Promise<Received> {
  const tooLarge: Received = { ok: false, tooLarge: true, message: `error upload xls: the request is larger than the limit of ${max} bytes` };
  if (Number(req.headers.get('content-length') ?? 0) > max) return tooLarge;
  if (!req.body) return { ok: false, message: 'error upload xls: no file in the request' };
  const type = req.headers.get('content-type') ?? '';
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, next) {
      seen += chunk.length;
      next(seen > max ? new Error('over the limit') : null, chunk);
    },
  });
  const body = Readable.fromWeb(req.body as WebReadableStream<Uint8Array>);

  if (!/^multipart\/form-data\b/i.test(type)) {
    const chunks: Buffer[] = [];
    try {
      await pipeline(body, counter, async (source: AsyncIterable<Buffer>) => {
        for await (const c of source) chunks.push(c);
      });
    } catch (err) {
      return seen > max ? tooLarge : { ok: false, message: `error upload xls: the body could not be read (${(err as Error).message})` };
    }
    return { ok: true, bytes: Buffer.concat(chunks) };
  }

  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: { 'content-type': type }, defParamCharset: 'utf8', limits: { fieldSize: max, parts: 100 } });
  } catch {
    return { ok: false, message: 'error upload xls: broken multipart/form-data header' };
  }
  let file: Buffer[] | undefined;
  let field: string | undefined;
  parser.on('file', (_name, stream) => {
    stream.on('error', () => undefined); // the parser's own error reports a broken body below
    if (file) return void stream.resume(); // only the first file counts
    const parts: Buffer[] = (file = []);
    stream.on('data', (c: Buffer) => parts.push(c));
  });
  parser.on('field', (_name, value) => {
    if (field === undefined && value !== '') field = value;
  });
  try {
    await pipeline(body, counter, parser);
  } catch (err) {
    if (seen > max) return tooLarge;
    return { ok: false, message: `error upload xls: broken multipart/form-data body (${(err as Error).message})` };
  }
  if (file) return { ok: true, bytes: Buffer.concat(file) };
  if (field !== undefined) return { ok: true, bytes: Buffer.from(field, 'latin1') };
  return { ok: false, message: 'error upload xls: no file in the request' };
}
