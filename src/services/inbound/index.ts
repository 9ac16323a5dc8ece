import { fail, ok, type Outcome, type ServiceCtx } from '../context.js';
import type { Queries } from '../../db/client.js';

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

const SQL = {
  list: 'SELECT * FROM inbound_numbers ORDER BY exten',
  get: 'SELECT * FROM inbound_numbers WHERE exten = ?',
  upsert: `INSERT INTO inbound_numbers (exten, name, okPollingId, failPollingId) VALUES (?, ?, ?, ?)
    ON CONFLICT(exten) DO UPDATE SET name = excluded.name, okPollingId = excluded.okPollingId, failPollingId = excluded.failPollingId
    RETURNING *`,
  pollingExists: 'SELECT 1 FROM pollings WHERE id = ?',
};

const toRow = (r: Raw): InboundRow => ({
  id: String(r.id),
  exten: r.exten,
  name: r.name,
  okPollingId: r.okPollingId === null ? null : String(r.okPollingId),
  failPollingId: r.failPollingId === null ? null : String(r.failPollingId),
});

export async function listInbound(ctx: ServiceCtx): Promise<InboundRow[]> {
  return (await ctx.db.all<Raw>(SQL.list)).map(toRow);
}

export async function getInbound(ctx: ServiceCtx, exten: string): Promise<Outcome<InboundRow>> {
  const r = await ctx.db.get<Raw>(SQL.get, [exten]);
  return r ? ok(toRow(r)) : fail(`Inbound number "${exten}" not found`);
}

/**
 * PUT: the whole setting of one number (a polling omitted, null, "" or 0 = none). A polling id that names no
 * polling is saved with a warning, as a polling task's innerNum is: pollings may be loaded afterwards.
 * The answer is the row as this statement wrote it (RETURNING), not a later read another PUT could overtake.
 */
export async function putInbound(ctx: ServiceCtx, exten: string, input: InboundInput): Promise<Outcome<InboundRow>> {
  const warnings: string[] = [];
  for (const field of ['okPollingId', 'failPollingId'] as const) {
    const id = input[field];
    if (id !== undefined && (await ctx.db.value(SQL.pollingExists, [id])) === undefined) {
      warnings.push(`Field "${field}": polling ${id} does not exist (yet)`);
    }
  }
  const row = await ctx.db.get<Raw>(SQL.upsert, [exten, input.name ?? '', input.okPollingId ?? null, input.failPollingId ?? null]);
  return ok(toRow(row!), warnings);
}

export async function deleteInbound(ctx: ServiceCtx, exten: string): Promise<void> {
  await ctx.db.run('DELETE FROM inbound_numbers WHERE exten = ?', [exten]);
}

/** The route of a dialled inbound number, for the call handler; undefined when the number is not configured. */
export async function inboundRoute(db: Queries, exten: string): Promise<InboundRoute | undefined> {
  const r = await db.get<Raw>(SQL.get, [exten]);
  return r && { exten: r.exten, okPollingId: r.okPollingId, failPollingId: r.failPollingId };
}
