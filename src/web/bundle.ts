import { build } from 'esbuild';
import { join } from 'node:path';
import { projectRoot } from '../project-root.js';

/**
 * The cockpit's browser code: web/cockpit.tsx (Preact) bundled by esbuild, the bundler the service already uses
 * for itself, in memory on the first request (about 0.1 s) and kept: never a stale file from an older build.
 */
let bundle: Promise<string> | undefined;

export function cockpitScript(): Promise<string> {
  bundle ??= buildCockpit().catch((err: unknown) => {
    bundle = undefined; // try again on the next request
    throw err;
  });
  return bundle;
}

/** Bundle the page: minified ES2020 for current browsers, Preact's JSX. */
export async function buildCockpit(): Promise<string> {
  const r = await build({
    entryPoints: [join(projectRoot(import.meta.url), 'web', 'cockpit.tsx')],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    write: false,
    logLevel: 'warning',
  });
  return r.outputFiles[0]!.text;
}
