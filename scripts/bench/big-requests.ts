/**
 * Memory of the service while it receives a big audio upload: `npx tsx scripts/bench/upload-memory.ts [--mb 45]`.
 * Starts the service as `npm start` runs it (simulator in this process), uploads a wav of silence of that size
 * (under the default 50 MB cap) twice, with a Content-Length and chunked (no length), and samples the service's
 * RSS every 20 ms. POST /audio streams the file to disk, so the rise should not scale with the file's size.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from '../../sim/index.js';
import { wavHeader } from '../../src/media/wav.js';
import { BASE, freePort, sleep, startService } from '../../test/faults/harness/service.js';

const { values } = parseArgs({ options: { mb: { type: 'string', default: '45' } } });
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

async function upload(chunked: boolean) {
  await sleep(1000);
  const before = rss();
  let max = before;
  let uploading = true;
  const sampler = (async () => {
    while (uploading) {
      max = Math.max(max, rss());
      await sleep(20);
    }
  })();
  const t0 = performance.now();
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
  const res = await fetch(`${svc.url}${BASE}/audio`, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
    ...(chunked ? { duplex: 'half' } : {}),
  } as RequestInit);
  const json = (await res.json()) as { result: boolean; messages: unknown };
  uploading = false;
  await sampler;
  const ms = performance.now() - t0;
  out(`${chunked ? 'chunked (no Content-Length)' : 'with Content-Length        '}: HTTP ${res.status} result ${json.result}${json.result ? '' : ` ${JSON.stringify(json.messages)}`}; ${ms.toFixed(0)} ms; service RSS before ${before.toFixed(1)} MB, max ${max.toFixed(1)} MB (+${(max - before).toFixed(1)} MB for a ${(bytes / 1048576).toFixed(0)} MB file)`);
}

out(`=== POST /audio of a ${(bytes / 1048576).toFixed(1)} MB wav, service = npm start's bundle and flags ===`);
await upload(false);
await upload(true);
svc.child.kill('SIGTERM');
await svc.exited;
await sim.stop();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
