/**
 * The service as users run it (the `npm start` bundle, a child process) against a private real Asterisk, driven
 * through the v1 API like a CRM. The PBX's own dial log is the witness of what was really dialed.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, freePort, sleep, startService, type RunningService } from '../faults/harness/service.js';
import { startPbx, type Pbx } from './pbx.js';

export interface Row {
  id: number;
  taskId: number;
  phone: string;
  clientId: string;
  attemptNumber: number;
  state: string;
  result: string;
  outDialState: string | null;
  inDialState: string | null;
  hangupCause: number | null;
  cause: string | null;
  callFile: string | null;
  linkedId: string | null;
  closeTime: number;
}

/** What every real-PBX service gets: the outbound route takes trunk prefix 0, agents ring in [internal]. */
export const PBX_ENV: Record<string, string> = {
  DIALER_DEFAULT_DIAL_PREFIX: '0',
  DIALER_RING_TIMEOUT_SECONDS: '6',
  DIALER_AGENT_RING_TIMEOUT_SECONDS: '10',
  DIALER_INTERNAL_CONTEXT: 'internal',
};

export interface PbxService {
  pbx: Pbx;
  svc: RunningService;
  url: string;
  dataDir: string;
  api(method: string, path: string, body?: unknown): Promise<any>;
  /** Start the service again on the same data dir (after a SIGKILL / SIGTERM). */
  restart(): Promise<void>;
  /** A polling whose one question takes key 1 (or 3, then a second question takes 9); returns its id. */
  polling(): Promise<number>;
  task(body: Record<string, unknown>): Promise<number>;
  waitClosed(taskId: number, timeoutMs: number): Promise<void>;
  rows(taskId?: number): Row[];
  stop(): Promise<void>;
}

export async function pbxService(env: Record<string, string> = {}, pbx?: Pbx): Promise<PbxService> {
  const thePbx = pbx ?? (await startPbx());
  const dataDir = mkdtempSync(join(tmpdir(), 'autodialer-pbx-'));
  const httpPort = await freePort();
  const start = () =>
    startService({
      ariUrl: thePbx.url,
      ariUsername: thePbx.username,
      ariPassword: thePbx.password,
      dataDir,
      timeScale: 1,
      httpPort,
      env: { ...PBX_ENV, ...env },
    });
  let svc = await start();
  const call = (method: string, path: string, body?: unknown) => api(svc.url, method, path, body);
  const h: PbxService = {
    pbx: thePbx,
    get svc() {
      return svc;
    },
    get url() {
      return svc.url;
    },
    dataDir,
    api: call,
    async restart() {
      svc = await start();
    },
    async polling() {
      const r = await call('POST', '/polling', {
        name: 'real PBX survey',
        questions: [
          {
            questionId: 'q1',
            questionText: 'Press 1 or 3',
            timeout: 4,
            press: [
              { key: '1', action: 'answer', value: 'one' },
              { key: '3', action: 'answer', value: 'three', nextQuestion: 'q2' },
            ],
          },
          { questionId: 'q2', questionText: 'Press 9', timeout: 4, press: [{ key: '9', action: 'answer', value: 'nine' }] },
        ],
      });
      if (!r.result) throw new Error(`POST /polling refused: ${JSON.stringify(r.messages)}`);
      return Number(r.data.id);
    },
    async task(body) {
      const r = await call('POST', '/task', { name: 'real PBX', maxAttempt: 1, tryInterval: 1, ...body });
      if (!r.result) throw new Error(`POST /task refused: ${JSON.stringify(r.messages)}`);
      return Number(r.data.id);
    },
    async waitClosed(taskId, timeoutMs) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const r = await call('GET', `/task/${taskId}`);
        if (Number(r.data.state) === 1) return;
        if (Date.now() > end) throw new Error(`task ${taskId} not closed after ${timeoutMs} ms: ${JSON.stringify(r.data.results?.map((x: Row) => [x.phone, x.state, x.result]))}`);
        await sleep(250);
      }
    },
    rows(taskId) {
      const db = new Database(join(dataDir, 'autodialer.sqlite'), { readonly: true, fileMustExist: true });
      try {
        const sql = 'SELECT * FROM task_results' + (taskId === undefined ? '' : ' WHERE taskId = ?') + ' ORDER BY id';
        return (taskId === undefined ? db.prepare(sql).all() : db.prepare(sql).all(taskId)) as Row[];
      } finally {
        db.close();
      }
    },
    async stop() {
      if (svc.child.exitCode === null && svc.child.signalCode === null) {
        svc.child.kill('SIGTERM');
        await Promise.race([svc.exited, sleep(15_000)]);
        svc.child.kill('SIGKILL');
      }
      if (!pbx) await thePbx.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}

/** Dials per number from the PBX's own log. */
export function dialsPerNumber(pbx: Pbx): Map<string, number> {
  const m = new Map<string, number>();
  for (const d of pbx.dials()) m.set(d.number, (m.get(d.number) ?? 0) + 1);
  return m;
}
