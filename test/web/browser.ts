import { existsSync } from 'node:fs';

/** Debian's chromium (`apt-get install chromium`), or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here (a fresh clone without chromium), or undefined. Under CI they must run. */
export function browserSkipReason(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const why = `no chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH): browser tests skipped`;
  if (process.env.CI) throw new Error(`CI must run the browser tests: ${why}`);
  console.log(why);
  return why;
}
