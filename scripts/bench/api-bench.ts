/**
 * API benchmarks (one run prints all three):
 *  1. POST /task with 100 000 numbers vs a raw better-sqlite3 insert of the same rows   (target ≤ 3×)
 *  2. GET /results returning 10 000 rows vs raw SELECT + JSON.stringify                (target ≤ 2×)
 *  3. GET /task/{id} requests/s vs a bare node:http server answering constant JSON     (target ≥ 0.5×)
 * Everything goes over real HTTP on loopback; the API logs one line per request to /dev/null (pino),
 * so logging cost is included.   Run: npx tsx scripts/bench/api-bench.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Pool } from 'undici';
import { createApp } from '../../src/api/app.js';
import { startHttpServer } from '../../src/api/server.js';
import { testConfig } from '../../src/config.js';
import { openSqlite } from '../../src/db/client.js';
import { idleDialer, noPromptPreparer } from '../../src/ports.js';
import { phoneIdOf } from '../../src/domain/phone.js';

const BASE = '/pbxcore/api/module-dialer/v1';
const N = 100_000;
const dir = mkdtempSync(join(tmpdir(), 'autodialer-bench-'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (x: number) => `${x.toFixed(1)} ms`;
const out = (label: string, api: number, raw: number, target: string, ok: boolean) =>
  console.log(`${label}\n  api ${ms(api)}   raw ${ms(raw)}   ratio ${(api / raw).toFixed(2)}×   target ${target}   ${ok ? 'OK' : 'MISSED'}`);

const numbers = Array.from({ length: N }, (_, i) => String(79000000000 + i));

async function main() {
  const config = testConfig({ DIALER_DATA_DIR: dir, DIALER_HTTP_HOST: '127.0.0.1', DIALER_HTTP_PORT: '0', DIALER_LOG_LEVEL: 'info' });
  const log = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
  // SQLite: the raw baselines below use its better-sqlite3 connection (db.client) directly
  const db = openSqlite(join(dir, 'api.sqlite'));
  const app = createApp({ config, db, log, dialer: idleDialer, prompts: noPromptPreparer, audio: { convert: async () => ({ ok: false, message: 'n/a' }) } });
  const server = await startHttpServer(app, config, log);

  // ---- 1. POST /task with 100 000 numbers ------------------------------------------------------
  // api and raw runs alternate so load from other processes hits both alike; medians of 3.
  const apiRuns: number[] = [];
  const rawRuns: number[] = [];
  for (let run = 0; run < 3; run++) {
    const body = JSON.stringify({ crmId: `bench-${run}`, innerNum: '201', numbers });
    let t0 = performance.now();
    const res = await fetch(`${server.url}${BASE}/task`, { method: 'POST', body });
    const json = (await res.json()) as { result: boolean };
    apiRuns.push(performance.now() - t0);
    if (!json.result) throw new Error(`POST /task failed: ${JSON.stringify(json)}`);

    const raw = openSqlite(join(dir, `raw-${run}.sqlite`)).client;
    t0 = performance.now();
    const now = Date.now() / 1000;
    const task = Number(raw.prepare("INSERT INTO tasks (crmId, innerNum) VALUES ('raw', '201')").run().lastInsertRowid);
    const ins = raw.prepare(
      `INSERT INTO task_results (taskId, phoneId, phone, clientId, params, timeCallAllow, timeOffsetMinutes, changeTime, closeTime, state)
       VALUES (?, ?, ?, '', '', 0, NULL, ?, 0, 'CreateTask')`,
    );
    raw.transaction(() => {
      for (const n of numbers) ins.run(task, phoneIdOf(n), n, now);
    })();
    rawRuns.push(performance.now() - t0);
    raw.close();
  }
  const a1 = median(apiRuns);
  const r1 = median(rawRuns);
  out(`1. POST /task with ${N} numbers (median of 3, request JSON already serialised)`, a1, r1, '≤ 3×', a1 / r1 <= 3);

  // ---- 2. GET /results returning 10 000 rows ---------------------------------------------------
  const since = Number(await db.value('SELECT MIN(changeTime) FROM task_results'));
  const api2: number[] = [];
  const raw2: number[] = [];
  const sel = db.client.prepare(
    'SELECT id, taskId, phoneId, phone, clientId, linkedId, callFile, result, outDialState, inDialState, state, verboseCallId, cause, params, changeTime, countTry, attemptNumber, timeCallAllow, closeTime, timeOffsetMinutes FROM task_results WHERE changeTime >= ? ORDER BY changeTime, id LIMIT 10000',
  );
  for (let i = 0; i < 15; i++) {
    let t0 = performance.now();
    const res = await fetch(`${server.url}${BASE}/results/${since}`);
    const text = await res.text();
    api2.push(performance.now() - t0);
    if (i === 0 && (JSON.parse(text) as { data: { results: unknown[] } }).data.results.length !== 10_000) throw new Error('expected 10000 rows');
    t0 = performance.now();
    JSON.stringify(sel.all(since));
    raw2.push(performance.now() - t0);
  }
  const a2 = median(api2);
  const r2 = median(raw2);
  out('2. GET /results/{changeTime} → 10 000 rows (median of 15, API incl. HTTP transfer)', a2, r2, '≤ 2×', a2 / r2 <= 2);

  // ---- 3. GET /task/{id} requests/s vs bare node:http ------------------------------------------
  const small = (await (
    await fetch(`${server.url}${BASE}/task`, { method: 'POST', body: JSON.stringify({ innerNum: '201', numbers: numbers.slice(0, 10) }) })
  ).json()) as { data: { id: number } };
  const constant = JSON.stringify({ result: true, data: { id: 1 }, messages: [], function: '', processor: '', pid: process.pid });
  const bare = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(constant);
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as { port: number }).port}`;
  // Other processes share this machine, so api and bare runs alternate and each reports its best of 3.
  // 3b runs the same while the database changes every millisecond (an active dialer writing rows), so
  // the GET /task/{id} answer cache is invalidated constantly: the uncached path.
  const touch = db.client.prepare('UPDATE tasks SET changeTime = ? WHERE id = ?');
  const apiR: number[] = [];
  const bareR: number[] = [];
  const busyR: number[] = [];
  for (let round = 0; round < 3; round++) {
    apiR.push(await rps(server.url, `${BASE}/task/${small.data.id}`));
    bareR.push(await rps(bareUrl, '/'));
    const writer = setInterval(() => touch.run(Date.now() / 1000, small.data.id), 1);
    busyR.push(await rps(server.url, `${BASE}/task/${small.data.id}`));
    clearInterval(writer);
  }
  const [apiRps, bareRps, busyRps] = [apiR, bareR, busyR].map((xs) => Math.max(...xs));
  console.log(
    `3. GET /task/{id} (task with 10 numbers), 32 concurrent, 2 s runs, best of 3\n  api ${apiRps.toFixed(0)} req/s   bare node:http ${bareRps.toFixed(0)} req/s   ratio ${(apiRps / bareRps).toFixed(2)}   target ≥ 0.5   ${apiRps / bareRps >= 0.5 ? 'OK' : 'MISSED'}`,
  );
  console.log(
    `3b. same with a DB write every 1 ms (answer cache always invalidated)\n  api ${busyRps.toFixed(0)} req/s   ratio to bare ${(busyRps / bareRps).toFixed(2)}`,
  );

  bare.close();
  await server.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}

/** Requests per second over a keep-alive pool with a fixed number of in-flight requests, bounded in time. */
async function rps(origin: string, path: string, seconds = 2, concurrency = 32): Promise<number> {
  const pool = new Pool(origin, { connections: concurrency });
  // warm-up
  for (let i = 0; i < 200; i++) await (await pool.request({ path, method: 'GET' })).body.text();
  let count = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const r = await pool.request({ path, method: 'GET' });
      await r.body.text();
      if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
      count++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - t0) / 1000;
  await pool.close();
  return count / elapsed;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
