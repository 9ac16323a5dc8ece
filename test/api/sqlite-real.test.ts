import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { sqliteRealText } from '../../src/services/results/sqlite-real.js';

/**
 * PostgreSQL answers times as the text SQLite gives them (src/services/results/sqlite-real.ts). If the SQLite
 * better-sqlite3 bundles ever prints REALs differently, this says so before the two databases' answers part.
 */
describe('SQLite REAL text, rebuilt in JS', () => {
  it('is what SQLite prints for times and other values of the exact range', () => {
    const db = new Database(':memory:');
    const cast = db.prepare('SELECT CAST(? AS TEXT)').pluck();
    let seed = 42; // mulberry32: the same values every run
    const rnd = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const values = [100.25, 100.5, 200, 300.75, 1000, 1724235073, 1724235071.0536, 0.1 + 0.2 + 1e9, 1724235073.13, 1729439550.57167, 1e-4, 1.5e-7, 1e16, 1e17, 123456789012345680, -1724235073.5];
    for (let i = 0; i < 30_000; i++) {
      values.push(1.7e9 + rnd() * 1e8, Math.floor(1.7e9 + rnd() * 1e8) + Math.floor(rnd() * 1000) / 1000, rnd() * 10 ** Math.floor(rnd() * 21 - 3));
    }
    const differ = values.map((x) => [x, cast.get(x), sqliteRealText(x)]).filter(([, sqlite, js]) => sqlite !== js);
    db.close();
    expect(differ).toEqual([]);
  });
});
