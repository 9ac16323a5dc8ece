/**
 * In-process API for the hostile-input and security suites: createApp over a fresh env, requests through
 * app.request (from loopback unless told otherwise), and a snapshot of everything a request could write.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../../src/api/app.js';
import { freshEnv } from '../../helpers/env.js';
import { fakeConverter, fakeDialer, fakePrompts, fromAddress, readResponse } from '../../api/helpers.js';

export const BASE = '/pbxcore/api/module-dialer/v1';
export const LOCAL = fromAddress('127.0.0.1');
export const REMOTE = fromAddress('198.51.100.23');

export async function apiUnderTest(env: Record<string, string> = {}, nowMs?: () => number) {
  const e = await freshEnv(env);
  const app = createApp({ config: e.config, db: e.db, log: e.log, dialer: fakeDialer(), audio: fakeConverter(), prompts: fakePrompts(), nowMs });

  async function send(method: string, path: string, body?: BodyInit, headers: Record<string, string> = {}, from = LOCAL) {
    return readResponse(await app.request(path, { method, body, headers }, from));
  }

  /** Only the status, the body left unread (an event stream never ends). */
  async function status(method: string, path: string, headers: Record<string, string> = {}, from = LOCAL): Promise<number> {
    const res = await app.request(path, { method, headers }, from);
    await res.body?.cancel();
    return res.status;
  }

  /** Row counts + a checksum of every table, and the files under the data dir (names + sizes). */
  async function snapshot(): Promise<string> {
    const h = createHash('sha256');
    const sqlite = e.db.dialect === 'sqlite';
    const tables = await e.db.values<string>(
      sqlite
        ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
    );
    for (const name of tables) {
      // every table has an id column (PostgreSQL has no rowid)
      const rows = await e.db.all(`SELECT * FROM ${sqlite ? `"${name}"` : name} ORDER BY ${sqlite ? 'rowid' : 'id'}`);
      h.update(`${name}:${rows.length}:${JSON.stringify(rows)}\n`);
    }
    const walk = (dir: string): void => {
      if (!existsSync(dir)) return;
      for (const f of readdirSync(dir).sort()) {
        const p = join(dir, f);
        const st = statSync(p);
        if (st.isDirectory()) walk(p);
        else if (!f.includes('.sqlite')) h.update(`${p}:${st.size}\n`);
      }
    };
    walk(e.dir);
    return h.digest('hex');
  }

  return { ...e, app, send, status, snapshot };
}
