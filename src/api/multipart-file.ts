import busboy from 'busboy';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

export type ReceivedFile =
  | { ok: true; name: string; path: string; bytes: number }
  | { ok: false; message: string; tooLarge?: true; serverFault?: true };

export const NOT_MULTIPART = 'error upload file: expected multipart/form-data with a file';
export const FILE_EMPTY = 'error upload file: file is empty';

/**
 * Stream the first file of a multipart/form-data request (whatever its field name, as the original) to
 * `tempPath(name)`, never holding it in memory: a 50 MB upload used to sit in memory three times over (body,
 * FormData, ArrayBuffer). Later files and plain fields are read and dropped. `checkName` runs as soon as the
 * part's header arrives, so a refused name writes nothing. The file counts only once the whole form has been
 * parsed: a body cut off after the file's bytes is refused and its temp file removed. The body is counted
 * as it streams (hono's bodyLimit would buffer a chunked upload whole to count it): past `maxBytes` the
 * upload stops and the answer says so (`tooLarge`).
 */
export async function receiveFirstFile(
  req: Request,
  o: { tempPath: (name: string) => Promise<string>; checkName: (name: string) => string | null; maxBytes: number },
): Promise<ReceivedFile> {
  const type = req.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\b/i.test(type) || !req.body) return { ok: false, message: NOT_MULTIPART };
  let parser: busboy.Busboy;
  try {
    // preservePath: the name is checked as sent ("../x.mp3" is refused, not quietly cut to "x.mp3");
    // utf8: 1C and browsers send Cyrillic file names as raw UTF-8.
    parser = busboy({ headers: { 'content-type': type }, preservePath: true, defParamCharset: 'utf8' });
  } catch {
    return { ok: false, message: NOT_MULTIPART }; // no boundary, unknown type
  }

  const limit = new BodyLimit(o.maxBytes);
  let written: Promise<ReceivedFile> | undefined;
  /** Our side failed to store the file (disk full, no permission): the rest of the body is not worth reading. */
  let storeError: Error | undefined;
  const storeFailed = (err: Error) => {
    storeError ??= err;
    // Ends the pipeline below at once: busboy would otherwise wait for the part to be read, forever if the
    // whole body has already arrived.
    parser.destroy(err);
  };
  const done = new Promise<void>((resolve, reject) => {
    parser.on('file', (_field, stream, info) => {
      // A broken or oversized body destroys the part's stream with the parser's error, possibly while no
      // pipe is attached yet (temp path being made) or ever (skipped parts); the pipeline below reports it.
      let partError: Error | undefined;
      stream.on('error', (err) => (partError = err));
      if (written) return void stream.resume(); // only the first file counts
      const name = info.filename ?? '';
      written = (async (): Promise<ReceivedFile> => {
        const bad = o.checkName(name);
        if (bad) {
          stream.resume();
          return { ok: false, message: bad };
        }
        let path: string;
        try {
          path = await o.tempPath(name);
        } catch (err) {
          storeFailed(err as Error);
          throw err;
        }
        let bytes = 0;
        stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
        const file = createWriteStream(path);
        // the file's own failure, not the part's error that pipeline passes on to it
        file.on('error', (err) => err !== partError && storeFailed(err));
        try {
          await pipeline(stream, file);
        } catch (err) {
          await rm(path, { force: true });
          throw err;
        }
        return { ok: true, name, path, bytes };
      })();
      written.catch(() => undefined); // awaited below; a failure here must not go unhandled meanwhile
    });
    parser.on('close', resolve);
    parser.on('error', reject);
  });
  done.catch(() => undefined); // the pipeline below sees the same error first
  try {
    await pipeline(Readable.fromWeb(req.body as WebReadableStream<Uint8Array>), limit, parser);
    await done;
  } catch (err) {
    const file = await written?.catch(() => undefined);
    if (file?.ok) await rm(file.path, { force: true });
    if (storeError) return storeFault(storeError);
    if (limit.exceeded) return { ok: false, message: tooLargeMessage(o.maxBytes), tooLarge: true };
    // busboy's own words name the defect: "Unexpected end of form", "Malformed part header", ...
    return { ok: false, message: `error upload file: broken multipart/form-data body (${(err as Error).message})` };
  }
  if (!written) return { ok: false, message: FILE_EMPTY };
  const file = await written.catch((err: Error) => storeFault(storeError ?? err));
  if (file.ok && file.bytes === 0) {
    await rm(file.path, { force: true });
    return { ok: false, message: FILE_EMPTY };
  }
  return file;
}

const storeFault = (err: Error): ReceivedFile => ({
  ok: false,
  message: `error upload file: the server could not store it (${(err as NodeJS.ErrnoException).code ?? err.message})`,
  serverFault: true,
});

export const tooLargeMessage = (max: number) => `Request body is larger than the limit of ${max} bytes`;

/** Passes the body through, failing the stream once more than `max` bytes have come. */
class BodyLimit extends Transform {
  private seen = 0;
  exceeded = false;
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, next: (err?: Error | null, data?: Buffer) => void): void {
    this.seen += chunk.length;
    if (this.seen > this.max) {
      this.exceeded = true;
      return next(new Error('upload over the size limit'));
    }
    next(null, chunk);
  }
}
