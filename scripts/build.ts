/**
 * Build what `npm start` runs: stasis/main.ts and everything it imports (src/, stasis/, sim/) as one plain
 * JavaScript file, dist/main.mjs; packages in node_modules stay imports. `npm start` builds first, in the
 * start script itself (not a prestart hook, which npm skips under ignore-scripts and would leave a stale bundle).
 *
 * Why a bundle and not the TypeScript sources through tsx: the tsx loader and a few hundred separate modules
 * cost the running service about 30 MB of its memory budget; the build takes well under a second.
 * `npm run build` builds by hand; the fault tests and scripts build it before they start a service.
 */
import { build } from 'esbuild';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT = fileURLToPath(new URL('..', import.meta.url));
export const SERVICE_BUNDLE = join(PROJECT, 'dist', 'main.mjs');

export async function buildService(outfile = SERVICE_BUNDLE): Promise<string> {
  const result = await build({
    entryPoints: [join(PROJECT, 'stasis', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    // Written but not loaded by default (loading it costs the service ~11 MB): to see TypeScript file and
    // line in stack traces, run NODE_OPTIONS=--enable-source-maps npm start.
    sourcemap: 'linked',
    logLevel: 'warning',
    write: false,
  });
  // Each file replaced in one rename: test workers build concurrently, and a service started meanwhile must
  // never load a half-written bundle.
  mkdirSync(dirname(outfile), { recursive: true });
  for (const f of result.outputFiles) {
    const tmp = `${f.path}.${process.pid}.tmp`;
    writeFileSync(tmp, f.contents);
    renameSync(tmp, f.path);
  }
  return outfile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const t0 = performance.now();
  const out = await buildService();
  process.stdout.write(`built ${out} in ${Math.round(performance.now() - t0)} ms\n`);
}
