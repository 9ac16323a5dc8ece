import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Find the project directory (the one holding package.json and drizzle/) by walking up from a module's
 * location. The same code runs from the TypeScript sources (src/db/client.ts, two levels down) and from the
 * built bundle `npm start` runs (dist/main.mjs, one level down), so a fixed `../../` would be wrong in one.
 */
export function projectRoot(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'drizzle', 'meta', '_journal.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the autodialer project (package.json and drizzle/) above ${start}`);
  }
}
