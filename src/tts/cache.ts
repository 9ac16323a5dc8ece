import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Synthesised prompts on disk, named by a hash of what was voiced, so the same text costs one request
 * ever and a prompt prepared when the polling was saved is simply found at call time.
 */
export function createTtsCache(dir: string) {
  return {
    dir,
    pathFor(text: string, voice: string, lang: string): string {
      const key = createHash('sha256').update(`${text}|${voice}|${lang}`).digest('hex');
      return join(dir, `${key}.wav`);
    },
    /** A usable entry: exists and holds more than a bare header (a truncated file is not a hit). */
    async has(path: string): Promise<boolean> {
      const s = await stat(path).catch(() => undefined);
      return !!s && s.isFile() && s.size > 44;
    },
    /** Atomic: readers (Asterisk, a concurrent call) never see a half-written wav. */
    async put(path: string, bytes: Buffer): Promise<void> {
      await mkdir(dir, { recursive: true });
      const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, bytes);
        await rename(tmp, path);
      } finally {
        await rm(tmp, { force: true });
      }
    },
    /** Removes entries older than `maxAgeMs` (by modification time); returns how many. */
    async sweep(maxAgeMs: number, now = Date.now()): Promise<number> {
      let removed = 0;
      for (const f of await readdir(dir).catch(() => [] as string[])) {
        if (!f.endsWith('.wav')) continue;
        const s = await stat(join(dir, f)).catch(() => undefined);
        if (s && now - s.mtimeMs > maxAgeMs) {
          await rm(join(dir, f), { force: true });
          removed += 1;
        }
      }
      return removed;
    },
  };
}

export type TtsCache = ReturnType<typeof createTtsCache>;
