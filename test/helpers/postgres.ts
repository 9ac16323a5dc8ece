import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';

/**
 * A private PostgreSQL server for tests: Debian's binaries (apt-get install postgresql), a cluster in a temp
 * folder on a free port, owned by the `postgres` user when we run as root (initdb refuses root). Nothing of
 * the machine's own clusters is touched. Each suite then gets its own database from freshDatabase().
 */
export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

/** Where initdb / pg_ctl live, or undefined when PostgreSQL is not installed. */
export function postgresBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : undefined;
}

/** Why the PostgreSQL tests cannot run here (one line), or undefined when they can. Under CI they must. */
export function postgresSkipReason(): string | undefined {
  if (postgresBin()) return undefined;
  const why = 'PostgreSQL is not installed (apt-get install postgresql): PostgreSQL tests skipped';
  if (process.env.CI) throw new Error(`${why} — but CI must run them`);
  return why;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const asRoot = process.getuid?.() === 0;
/** Run a PostgreSQL binary as the postgres user when we are root. */
function pgArgs(bin: string, args: string[]): [string, string[]] {
  return asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'autodialer-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  if (asRoot) execFileSync('chown', ['postgres', dir]);
  const [cmd, args] = pgArgs(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '--locale=C.UTF-8', '-E', 'UTF8', '--no-sync']);
  execFileSync(cmd, args, { stdio: 'pipe' });
  const port = await freePort();
  const [pcmd, pargs] = pgArgs(join(bin, 'postgres'), [
    '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
    '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    '-c', 'max_connections=300', '-c', 'shared_buffers=256MB',
  ]);
  const proc: ChildProcess = spawn(pcmd, pargs, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let log = '';
  proc.stderr!.on('data', (d) => (log = (log + d).slice(-4000)));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const probe = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 2 });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await probe`SELECT 1`;
      break;
    } catch (err) {
      if (proc.exitCode !== null || Date.now() > deadline) {
        await probe.end({ timeout: 1 }).catch(() => {});
        throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await probe.end({ timeout: 1 });
  return {
    url,
    stop: async () => {
      if (proc.exitCode === null) {
        // pg_ctl's fast stop reaches the server itself (runuser does not pass every signal on)
        const [ccmd, cargs] = pgArgs(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w', '-t', '20']);
        try {
          execFileSync(ccmd, cargs, { stdio: 'pipe' });
        } catch {
          try {
            process.kill(-proc.pid!, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
        await new Promise<void>((r) => {
          if (proc.exitCode !== null) return r();
          const t = setTimeout(r, 5000);
          proc.once('exit', () => (clearTimeout(t), r()));
        });
      }
      proc.stderr?.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
/** A new, empty database on the server at `serverUrl`; answers its URL. */
export async function freshDatabase(serverUrl: string, prefix = 't'): Promise<string> {
  const name = `${prefix}_${process.pid}_${Date.now().toString(36)}_${++counter}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end({ timeout: 1 });
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
