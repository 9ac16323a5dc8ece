/**
 * JSON text that is already serialised (e.g. 10 000 result rows rendered by SQLite), embedded in a
 * response as is: no per-row JS objects, no second stringify, and cached answers cost a concatenation.
 */
export class RawJson {
  constructor(readonly text: string) {}

  /** A JSON array of already-serialised elements. */
  static array(elements: readonly string[]): RawJson {
    return new RawJson(`[${elements.join(',')}]`);
  }

  /** A JSON object whose values are plain values or RawJson, in the given key order. */
  static object(fields: Record<string, unknown>): RawJson {
    const parts = Object.entries(fields).map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`);
    return new RawJson(`{${parts.join(',')}}`);
  }
}

/** JSON text of a value; RawJson is taken as it is. */
export function toJson(value: unknown): string {
  return value instanceof RawJson ? value.text : (JSON.stringify(value) ?? 'null');
}
