import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AudioConverter } from '../../ports.js';
import { fail, ok, type Outcome, type ServiceCtx } from '../context.js';

/** Extensions we accept for uploads: audio formats ffmpeg decodes. */
const EXTENSIONS = new Set([
  'mp3', 'wav', 'ogg', 'oga', 'opus', 'flac', 'm4a', 'aac', 'wma', 'webm', 'gsm', 'ulaw', 'alaw', 'sln', 'amr', 'mp4', 'aif', 'aiff',
]);

/**
 * The upload's file name is its identifier (as in the original), so it must be safe to keep and to use
 * in a URL: no path separators, no "..", no control characters, at most 200 characters, an audio
 * extension. Returns a message naming the problem, or null.
 */
export function checkAudioName(name: string): string | null {
  if (name === '') return 'Audio file name is empty';
  if (name.length > 200) return `Audio file name is longer than 200 characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return `Audio file name "${JSON.stringify(name).slice(1, -1)}" contains control characters`;
  if (/[/\\]/.test(name)) return `Audio file name "${name}" must not contain path separators`;
  if (name.includes('..')) return `Audio file name "${name}" must not contain ".."`;
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(name)?.[1]?.toLowerCase();
  if (!ext || !EXTENSIONS.has(ext)) return `Audio file name "${name}" must end with an audio extension (${[...EXTENSIONS].join(', ')})`;
  return null;
}

export const audioDir = (ctx: ServiceCtx) => resolve(ctx.config.dataDir, 'audio');
/** Stored files are named by a hash of the upload name: nothing the client sends reaches the path. */
const baseName = (name: string) => createHash('sha1').update(name).digest('hex');

export interface AudioRow {
  id: number;
  name: string;
  path: string;
}

/** Where an upload is received before conversion: <dataDir>/audio/tmp/<random><ext>; saveAudio removes it. */
export async function audioTempPath(ctx: ServiceCtx, name: string): Promise<string> {
  const tmpDir = join(audioDir(ctx), 'tmp');
  await mkdir(tmpDir, { recursive: true });
  return join(tmpDir, `${randomBytes(12).toString('hex')}${name.slice(name.lastIndexOf('.')).toLowerCase()}`);
}

/**
 * POST /audio: convert the received upload (a temp file from audioTempPath) into
 * <dataDir>/audio/<sha1(name)>.wav with the converter, then record {name, path}. A failed conversion stores
 * nothing; the same name replaces. The temp file is removed whatever happens.
 */
export async function saveAudio(
  ctx: ServiceCtx,
  converter: AudioConverter,
  upload: { name: string; path: string; bytes: number },
): Promise<Outcome<{ filename: string }>> {
  try {
    const bad = checkAudioName(upload.name);
    if (bad) return fail(bad);
    if (upload.bytes === 0) return fail('error upload file: file is empty');
    const converted = await converter.convert(upload.path, join(audioDir(ctx), baseName(upload.name)));
    if (!converted.ok) return fail(converted.message || `Audio file "${upload.name}" could not be converted`);
    const wavPath = resolve(converted.wavPath);
    await ctx.db.run('INSERT INTO audio_files (name, path) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET path = excluded.path', [
      upload.name,
      wavPath,
    ]);
    ctx.log.info({ name: upload.name, path: wavPath, bytes: upload.bytes }, 'audio saved');
    return ok({ filename: wavPath });
  } finally {
    await rm(upload.path, { force: true });
  }
}

export function listAudio(ctx: ServiceCtx): Promise<AudioRow[]> {
  return ctx.db.all<AudioRow>('SELECT id, name, path FROM audio_files ORDER BY id');
}

/** DELETE /audio/{name}: every stored conversion of that name and the row; idempotent. */
export async function deleteAudio(ctx: ServiceCtx, name: string): Promise<Outcome<never[]>> {
  const bad = checkAudioName(name);
  if (bad) return fail(bad);
  const base = baseName(name);
  const dir = audioDir(ctx);
  const files = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(files.filter((f) => f.startsWith(`${base}.`)).map((f) => rm(join(dir, f), { force: true })));
  const changes = await ctx.db.run('DELETE FROM audio_files WHERE name = ?', [name]);
  if (changes) ctx.log.info({ name }, 'audio deleted');
  return ok([]);
}
