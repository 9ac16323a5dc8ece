/**
 * What the live-event benchmarks share (sse-fanout.ts, cockpit-live.ts): the simulator in a process of its own
 * (so the service's event loop is the service's alone), and in this process the dialer with a 3 s survey (scaled),
 * task progress, the API and its event bus, as stasis/main.ts wires them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createApp } from '../../src/api/app.js';
import { startHttpServer } from '../../src/api/server.js';
import { createClock } from '../../src/clock.js';
import { testConfig } from '../../src/config.js';
import { openDb } from '../../src/db/client.js';
import { EventBus } from '../../src/events/bus.js';
import { startTaskProgress } from '../../src/events/progress.js';
import { createMetrics } from '../../src/metrics/index.js';
import { connectAri } from '../../stasis/ari/ari-client-port.js';
import { createDialer } from '../../stasis/dialer/index.js';

export async function startLiveWorld(o: { scale: number; env?: Record<string, string> }) {
  const port = 18000 + Math.floor(Math.random() * 2000);
  const sim = spawn(process.execPath, ['--import', 'tsx', 'sim/main.ts', '--port', String(port), '--time-scale', String(o.scale)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    sim.stdout!.on('data', (d: Buffer) => d.toString().includes('ARI URL') && resolve());
    sim.on('exit', (c) => reject(new Error(`simulator exited ${c}`)));
  });
  const dir = mkdtempSync(join(tmpdir(), 'live-bench-'));
  const config = testConfig({ DIALER_DATA_DIR: dir, DIALER_TIME_SCALE: String(o.scale), DIALER_HTTP_PORT: '0', DIALER_HTTP_HOST: '127.0.0.1', ...o.env });
  const db = await openDb(join(dir, 'bench.sqlite'));
  const log = pino({ level: 'silent' });
  const bus = new EventBus();
  const progress = startTaskProgress({ db, bus, log });
  const ari = await connectAri({ url: `http://127.0.0.1:${port}`, username: 'asterisk', password: 'asterisk', app: 'bench', log });
  // A survey of 3 s (scaled) once answered.
  const runSurvey = async (session: { clock: { sleep(ms: number, s?: AbortSignal): Promise<unknown> }; signal: AbortSignal; ended?: unknown }) => {
    await session.clock.sleep(3000, session.signal);
    return session.ended ? { result: 'FAIL_POLLING' as const, reason: 'hangup' as const } : { result: 'SUCCESS_POLLING' as const };
  };
  const dialer = createDialer({ config, db, log, ari, clock: createClock(o.scale), runSurvey: runSurvey as never, simulator: true, events: bus });
  const metrics = createMetrics({ bus, status: () => dialer.status() });
  const app = createApp({ config, db, log, dialer, audio: { convert: async () => ({ ok: false, message: 'n/a' }) }, prompts: { prepare: async () => ({ errors: [], warnings: [] }) }, events: bus, metrics });
  const server = await startHttpServer(app, config, log);
  await dialer.start();
  return {
    db, bus, dialer, server,
    /** A paused (state 2) or dialing survey task of `calls` numbers: answered + survey, busy, no answer, hang-up, unallocated. */
    async campaign(calls: number, prefix: string, channels: number, state = 0): Promise<number> {
      const digits = ['1', '1', '0', '2', '3', '5', '8'];
      const taskId = (await db.value<number>(`INSERT INTO tasks (name, innerNum, innerNumType, maxCountChannels, state) VALUES ('bench', '1', 'polling', ?, ?) RETURNING id`, [channels, state]))!;
      await db.tx(async (q) => {
        for (let i = 0; i < calls; i++) {
          const phone = `79${prefix}${String(i).padStart(6, '0')}${digits[i % digits.length]}`;
          await q.run('INSERT INTO task_results (taskId, phoneId, phone, changeTime) VALUES (?, ?, ?, 0)', [taskId, phone.slice(-10), phone]);
        }
      });
      return taskId;
    },
    /** Until the task is closed and no call is up. */
    async done(taskId: number): Promise<void> {
      for (;;) {
        await new Promise((r) => setTimeout(r, 100));
        if ((await db.value<number>('SELECT state FROM tasks WHERE id = ?', [taskId])) === 1 && dialer.status().callsInFlight === 0) return;
      }
    },
    async close() {
      await dialer.stop();
      progress.stop();
      metrics.stop();
      await server.close();
      await ari.close();
      sim.kill();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
