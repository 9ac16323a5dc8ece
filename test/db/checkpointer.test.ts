import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/db/client.js';

/**
 * The service's SQLite connection never checkpoints in a commit (that held calls up to 130 ms): a worker thread
 * does, so rows written reach the database file shortly after, and closing leaves no WAL behind.
 */
describe('SQLite checkpoints off the event loop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('commits never checkpoint; the worker copies the WAL into the database file soon after; close removes the WAL', async () => {
    const file = join(dir, 'a.sqlite');
    const db = openSqlite(file);
    expect(db.client.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    await db.run('CREATE TABLE blobs (b BLOB)');
    const before = statSync(file).size;
    const payload = Buffer.alloc(64 * 1024, 7);
    await db.tx(async (q) => {
      for (let i = 0; i < 100; i++) await q.run('INSERT INTO blobs (b) VALUES (?)', [payload]); // 6.4 MB
    });
    // the commit itself did not checkpoint: the rows are in the WAL only
    expect(statSync(file).size - before).toBeLessThan(1024 * 1024);
    const until = Date.now() + 5000;
    while (statSync(file).size - before < 6 * 1024 * 1024 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(statSync(file).size - before).toBeGreaterThanOrEqual(6 * 1024 * 1024);
    await db.close();
    expect(existsSync(`${file}-wal`)).toBe(false);
    const again = openSqlite(file);
    expect(await again.value('SELECT COUNT(*) FROM blobs')).toBe(100);
    await again.close();
  });
});

describe('SQLite checkpoints under steady writes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-steady-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the WAL starts over now and then while commits keep coming: it stays bounded instead of growing for ever', async () => {
    const file = join(dir, 'b.sqlite');
    const db = openSqlite(file);
    await db.run('CREATE TABLE rows (v BLOB)');
    const payload = Buffer.alloc(4096, 1); // about a page a commit
    let maxWal = 0;
    const end = Date.now() + 5000;
    // a stream of small commits, far more than a dialer makes (about 2 000 a second, 8 MB/s of WAL)
    while (Date.now() < end) {
      for (let i = 0; i < 2; i++) await db.run('INSERT INTO rows (v) VALUES (?)', [payload]);
      if (existsSync(`${file}-wal`)) maxWal = Math.max(maxWal, statSync(`${file}-wal`).size);
      await new Promise((r) => setTimeout(r, 1));
    }
    const written = Number(await db.value('SELECT COUNT(*) FROM rows')) * 4096;
    await db.close();
    // without the restart the WAL holds every page written; with it, about RESTART_FRAMES (8 MB) and what a quarter second adds
    expect(written).toBeGreaterThan(24 * 1024 * 1024);
    expect(maxWal).toBeLessThan(Math.min(written / 2, 20 * 1024 * 1024));
  });
});
