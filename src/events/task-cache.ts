/**
 * Small caches of per-task tallies, kept per database handle (tests open many databases in one process and task
 * ids repeat across them), bounded: the least recently used entry goes first.
 */
export class PerDbLru<K, V> {
  private readonly byDb = new WeakMap<object, Map<K, V>>();

  constructor(private readonly max: number) {}

  get(db: object, key: K): V | undefined {
    const m = this.byDb.get(db);
    const v = m?.get(key);
    if (m && v !== undefined) {
      m.delete(key); // to the newest end
      m.set(key, v);
    }
    return v;
  }

  set(db: object, key: K, value: V): void {
    let m = this.byDb.get(db);
    if (!m) this.byDb.set(db, (m = new Map()));
    m.delete(key);
    m.set(key, value);
    while (m.size > this.max) m.delete(m.keys().next().value as K);
  }

  delete(db: object, key: K): void {
    this.byDb.get(db)?.delete(key);
  }
}

/**
 * Runs work on one key one at a time, in call order (a count that folds rows into a tally must not run twice at
 * once over the same tally); different keys run freely.
 */
export class KeyedQueue<K> {
  private readonly tails = new WeakMap<object, Map<K, Promise<unknown>>>();

  run<T>(db: object, key: K, work: () => Promise<T>): Promise<T> {
    let m = this.tails.get(db);
    if (!m) this.tails.set(db, (m = new Map()));
    const before = m.get(key) ?? Promise.resolve();
    const mine = before.then(work, work);
    const tail = mine.catch(() => undefined);
    m.set(key, tail);
    void tail.then(() => {
      if (m.get(key) === tail) m.delete(key);
    });
    return mine;
  }
}
