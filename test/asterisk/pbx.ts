/**
 * A real, private Asterisk 22 for the integration suites (`npm run test:asterisk`), started from the runtime in
 * `../shared/asterisk-runtime` (its README): its own folder under the temp dir, its own port, the test world
 * of `../shared/asterisk/observed.md` §5. The dialplan gets one addition: the outbound route logs a line per
 * dial (`AUTODIALER-DIAL <number> <linkedid>`), so a test counts the dials from the PBX's own side.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { freePort } from '../faults/harness/service.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RUNTIME = process.env.ASTERISK_RUNTIME_DIR ?? resolve(ROOT, '../shared/asterisk-runtime');
export const PREFIX = process.env.ASTERISK_RUNTIME_PREFIX ?? join(homedir(), '.cache/asterisk-runtime/22.10.1');
const ASTERISK = join(PREFIX, 'usr/sbin/asterisk');

/** Why the real-PBX suites cannot run here (undefined = they can). CI must always have the runtime. */
export function pbxMissing(): string | undefined {
  if (!existsSync(join(RUNTIME, 'run-pbx.sh'))) return `no Asterisk runtime at ${RUNTIME} (../shared/asterisk-runtime)`;
  if (!existsSync(ASTERISK)) return `the Asterisk runtime is not installed in ${PREFIX} (run ../shared/asterisk-runtime/install.sh)`;
  return undefined;
}

/** One line on stderr and a skipped suite where the runtime is absent; a hard failure under CI. */
export function pbxSkipReason(): string | undefined {
  const why = pbxMissing();
  if (why && process.env.CI) throw new Error(`real-PBX suite cannot run under CI: ${why}`);
  if (why) process.stderr.write(`real-PBX suite skipped: ${why}\n`);
  return why;
}

export interface Pbx {
  url: string;
  username: string;
  password: string;
  port: number;
  dir: string;
  /** Run an Asterisk CLI command on this instance. */
  cli(command: string): Promise<string>;
  /** Numbers dialed through the outbound route since start (one entry per dial, in order), from the PBX's log. */
  dials(): { number: string; linkedId: string }[];
  /** Stop (core stop now), keeping the folder, so start() brings the same PBX back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stop and remove the folder. */
  destroy(): Promise<void>;
}

const DIAL_MARK = 'AUTODIALER-DIAL';

/** The shared config set, plus the dial log line in the outbound route. */
function confDir(base: string): string {
  const conf = join(base, 'conf');
  cpSync(join(RUNTIME, 'conf'), conf, { recursive: true });
  const ext = join(conf, 'extensions.conf');
  const text = readFileSync(ext, 'utf8');
  const anchor = 'exten => route,1,NoOp(Outbound route -> ${NUM})\n';
  if (!text.includes(anchor)) throw new Error(`extensions.conf of the runtime changed: no "${anchor.trim()}"`);
  writeFileSync(ext, text.replace(anchor, `${anchor} same => n,Log(NOTICE,${DIAL_MARK} \${NUM} \${CHANNEL(linkedid)})\n`));
  return conf;
}

export async function startPbx(o: { sounds?: string } = {}): Promise<Pbx> {
  const why = pbxMissing();
  if (why) throw new Error(why);
  // short: the control socket path must stay under 90 characters
  const dir = mkdtempSync(join(tmpdir(), 'pbx-'));
  const conf = confDir(dir);
  const inst = join(dir, 'i');
  const port = await freePort();
  const env = { ...process.env, PBX_ARI_AUTH: 'autodialer:autodialer' };
  const args = ['--dir', inst, '--http-port', String(port), '--conf', conf, '--prefix', PREFIX, ...(o.sounds ? ['--sounds', o.sounds] : [])];
  const start = async () => {
    try {
      await run(join(RUNTIME, 'run-pbx.sh'), args, { env, timeout: 60_000 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`run-pbx.sh failed: ${e.stderr || e.message}`);
    }
  };
  const stop = async () => {
    await run(join(RUNTIME, 'stop-pbx.sh'), ['--dir', inst], { timeout: 30_000 }).catch(() => undefined);
  };
  await start();
  return {
    url: `http://127.0.0.1:${port}`,
    username: 'autodialer',
    password: 'autodialer',
    port,
    dir: inst,
    async cli(command: string) {
      const { stdout } = await run(ASTERISK, ['-C', join(inst, 'etc/asterisk.conf'), '-rx', command], {
        env: { ...process.env, LD_LIBRARY_PATH: join(PREFIX, 'usr/lib') },
        timeout: 15_000,
      });
      return stdout;
    },
    dials() {
      const log = join(inst, 'log/messages.log');
      if (!existsSync(log)) return [];
      const out: { number: string; linkedId: string }[] = [];
      for (const line of readFileSync(log, 'utf8').split('\n')) {
        // the NOTICE line itself, not the verbose "Executing … Log(…)" line that precedes it
        const i = line.indexOf(DIAL_MARK + ' ');
        if (i < 0 || !line.includes(' NOTICE[')) continue;
        const [number = '', linkedId = ''] = line.slice(i + DIAL_MARK.length + 1).trim().split(/\s+/);
        out.push({ number, linkedId });
      }
      return out;
    },
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
