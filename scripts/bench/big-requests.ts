/**
 * Memory of the service while it takes the biggest requests a CRM sends:
 * `npx tsx scripts/bench/big-requests.ts [--mb 45] [--numbers 100000]`.
 * Starts the service as `npm start` runs it (simulator in this process) and samples its RSS every 20 ms while
 * 1) POST /audio uploads a wav of silence of that size (under the default 50 MB cap), with a Content-Length and
 *    chunked (no length): the file is streamed to disk, so the rise should not scale with the file's size;
 * 2) POST /task creates three tasks of that many numbers, each with params (Cyrillic text), one after another.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from '../../sim/index.js';
import { wavHeader } from '../../src/media/wav.js';
import { BASE, freePort, sleep, startService } from '../../test/faults/harness/service.js';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '45' }, numbers: { type: 'string', default: '100000' } } });
const bytes = Math.round(Number(values.mb) * 1024 * 1024);
const out = (s: string) => process.stdout.write(`${s}\n`);

const dir = mkdtempSync(join(tmpdir(), 'autodialer-upload-'));
const sim = await startSimulator({ port: 0, timeScale: 0.05, username: 'u', password: 'u' });
const svc = await startService({ ariUrl: sim.url, ariUsername: 'u', ariPassword: 'u', dataDir: dir, timeScale: 0.05, httpPort: await freePort(), env: { DIALER_LOG_LEVEL: 'warn' } });
const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${svc.child.pid}/status`, 'utf8'))![1]) / 1024;

const file = Buffer.concat([wavHeader(bytes - 44), Buffer.alloc(bytes - 44)]); // silence
const boundary = 'benchBoundary7MA4YWxkTrZu0gW';
const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.wav"\r\nContent-Type: audio/wav\r\n\r\n`);
const tail = Buffer.from(`\r\n--${boundary}--\r\n`);

/** Run `request` while sampling the service's RSS; returns the RSS before and the highest sample. */
async function sampled<T>(request: () => Promise<T>): Promise<{ value: T; before: number; max: number; ms: number }> {
  await sleep(1000);
  const before = rss();
  let max = before;
  let running = true;
  const sampler = (async () => {
    while (running) {
      max = Math.max(max, rss());
      await sleep(20);
    }
  })();
  const t0 = performance.now();
  const value = await request();
  running = false;
  await sampler;
  return { value, before, max, ms: performance.now() - t0 };
}

async function upload(chunked: boolean) {
  const body = chunked
    ? new ReadableStream<Uint8Array>({
        start(c) {
          c.enqueue(head);
          for (let o = 0; o < file.length; o += 1 << 20) c.enqueue(file.subarray(o, o + (1 << 20)));
          c.enqueue(tail);
          c.close();
        },
      })
    : Buffer.concat([head, file, tail]);
  const r = await sampled(async () => {
    const res = await fetch(`${svc.url}${BASE}/audio`, {
      method: 'POST',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      body,
      ...(chunked ? { duplex: 'half' } : {}),
    } as RequestInit);
    return { status: res.status, json: (await res.json()) as { result: boolean; messages: unknown } };
  });
  const { status, json } = r.value;
  out(`${chunked ? 'chunked (no Content-Length)' : 'with Content-Length        '}: HTTP ${status} result ${json.result}${json.result ? '' : ` ${JSON.stringify(json.messages)}`}; ${r.ms.toFixed(0)} ms; service RSS before ${r.before.toFixed(1)} MB, max ${r.max.toFixed(1)} MB (+${(r.max - r.before).toFixed(1)} MB for a ${(bytes / 1048576).toFixed(0)} MB file)`);
}

async function postTask(k: number, n: number) {
  const numbers = Array.from({ length: n }, (_, i) => ({ number: `8${String(k).padStart(4, '0')}${String(i).padStart(6, '0')}`, params: { NAME: 'Иван Петров', SUM: i } }));
  const body = JSON.stringify({ crmId: `big-${k}`, name: `big ${k}`, innerNum: '1', state: 2, numbers });
  const r = await sampled(async () => (await fetch(`${svc.url}${BASE}/task`, { method: 'POST', body })).json() as Promise<{ result: boolean; messages: unknown }>);
  out(`task ${k + 1}: result ${r.value.result}; ${r.ms.toFixed(0)} ms; service RSS before ${r.before.toFixed(1)} MB, max ${r.max.toFixed(1)} MB`);
}

out(`=== POST /audio of a ${(bytes / 1048576).toFixed(1)} MB wav, service = npm start's bundle and flags ===`);
await upload(false);
await upload(true);
const n = Number(values.numbers);
out(`=== POST /task with ${n} numbers, each with params, three tasks one after another ===`);
for (let k = 0; k < 3; k++) await postTask(k, n);
svc.child.kill('SIGTERM');
await svc.exited;
await sim.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
