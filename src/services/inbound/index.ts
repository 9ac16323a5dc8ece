import { fail, ok, stmt, type Outcome, type ServiceCtx } from '../context.js';
import type { Db } from '../../db/client.js';

/**
 * Inbound poll numbers (the original's DialerExtensions, set there in its web UI): a caller who dials
 * `exten` and is found among the clients gets the okPollingId polling, anyone else failPollingId.
 */

/** As the API answers it: database values as strings (null when not set), like the original's rows. */
export interface InboundRow {
  id: string;
  exten: string;
  name: string;
  okPollingId: string | null;
  failPollingId: string | null;
}

export interface InboundInput {
  name?: string;
  okPollingId?: number;
  failPollingId?: number;
}

/** What the call handler needs: the pollings by internal id, null = such callers are not answered. */
export interface InboundRoute {
  exten: string;
  okPollingId: number | null;
  failPollingId: number | null;
}

/** Dialplan extensions: digits, letters and * # + (what `Stasis(app,inbound,${EXTEN})` can pass). */
export const EXTEN_RE = /^[0-9A-Za-z*#+]{1,40}$/;
export const badExten = (raw: string) => `Inbound number "${raw}" may contain only digits, letters, * # + (at most 40)`;

interface Raw {
  id: number;
  exten: string;
  name: string;
  okPollingId: number | null;
  failPollingId: number | null;
}

const statements = (db: Db) =>
  stmt(db, 'inbound', () => {
    const p = (sql: string) => db.$client.prepare(sql);
    return {
      list: p('SELECT * FROM inbound_numbers ORDER BY exten'),
      get: p('SELECT * FROM inbound_numbers WHERE exten = ?'),
      upsert: p(
        `INSERT INTO inbound_numbers (exten, name, okPollingId, failPollingId) VALUES (?, ?, ?, ?)
         ON CONFLICT(exten) DO UPDATE SET name = excluded.name, okPollingId = excluded.okPollingId, failPollingId = excluded.failPollingId`,
      ),
      delete: p('DELETE FROM inbound_numbers WHERE exten = ?'),
      pollingExists: p('SELECT 1 FROM pollings WHERE id = ?').pluck(),
    };
  });

const toRow = (r: Raw): InboundRow => ({
  id: String(r.id),
  exten: r.exten,
  name: r.name,
  okPollingId: r.okPollingId === null ? null : String(r.okPollingId),
  failPollingId: r.failPollingId === null ? null : String(r.failPollingId),
});

export function listInbound(ctx: ServiceCtx): InboundRow[] {
  return (statements(ctx.db).list.all() as Raw[]).map(toRow);
}

export function getInbound(ctx: ServiceCtx, exten: string): Outcome<InboundRow> {
  const r = statements(ctx.db).get.get(exten) as Raw | undefined;
  return r ? ok(toRow(r)) : fail(`Inbound number "${exten}" not found`);
}

/**
 * PUT: the whole setting of one number (a polling omitted, null, "" or 0 = none). A polling id that names no
 * polling is saved with a warning, as a polling task's innerNum is: pollings may be loaded afterwards.
 */
export function putInbound(ctx: ServiceCtx, exten: string, input: InboundInput): Outcome<InboundRow> {
  const s = statements(ctx.db);
  const warnings: string[] = [];
  for (const field of ['okPollingId', 'failPollingId'] as const) {
    const id = input[field];
    if (id !== undefined && !s.pollingExists.get(id)) warnings.push(`Field "${field}": polling ${id} does not exist (yet)`);
  }
  s.upsert.run(exten, input.name ?? '', input.okPollingId ?? null, input.failPollingId ?? null);
  return ok(toRow(s.get.get(exten) as Raw), warnings);
}

export function deleteInbound(ctx: ServiceCtx, exten: string): void {
  statements(ctx.db).delete.run(exten);
}

/** The route of a dialled inbound number, for the call handler; undefined when the number is not configured. */
export function inboundRoute(db: Db, exten: string): InboundRoute | undefined {
  const r = statements(db).get.get(exten) as Raw | undefined;
  return r && { exten: r.exten, okPollingId: r.okPollingId, failPollingId: r.failPollingId };
}
