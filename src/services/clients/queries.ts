import { normaliseNumber, phoneIdOf } from '../../domain/phone.js';
import type { Queries } from '../../db/client.js';
import { fail, ok, type Outcome, type ServiceCtx } from '../context.js';

/** A client as POST /client answers it: database values as strings, like the original's rows. */
export interface ClientRow {
  id: string;
  crmId: string;
  name: string;
  phones: { id: string; phoneId: string; phone: string; clientId: string }[];
  properties: { id: string; key: string; value: string; clientId: string }[];
}

export interface ClientProperty {
  key: string;
  value: string;
}

/** What an inbound call needs to know about its caller. */
export interface FoundClient {
  id: number;
  crmId: string;
  name: string;
  /** NAME first, then the others in the order the CRM gave them. */
  properties: ClientProperty[];
}

const SQL = {
  client: 'SELECT id, crmId, name FROM clients WHERE id = ?',
  phones: 'SELECT id, phoneId, phone, clientId FROM client_phones WHERE clientId = ? ORDER BY id',
  properties: 'SELECT id, key, value, clientId FROM client_properties WHERE clientId = ? ORDER BY id',
  // The client with its properties in the CRM's order (none: one row with a NULL key). A number two clients
  // share belongs to the one whose numbers were saved last.
  byNumber: `SELECT c.id, c.crmId, c.name, p.key, p.value FROM clients c LEFT JOIN client_properties p ON p.clientId = c.id
    WHERE c.id = (SELECT clientId FROM client_phones WHERE phoneId = ? ORDER BY id DESC LIMIT 1) ORDER BY p.id`,
  idByCrmId: 'SELECT id FROM clients WHERE crmId = ?',
};

type Client = { id: number; crmId: string; name: string };
type R = Record<string, unknown>;
const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));

export async function readClient(db: Queries, id: number): Promise<ClientRow | undefined> {
  const c = await db.get<Client>(SQL.client, [id]);
  if (!c) return undefined;
  const phones = await db.all<R>(SQL.phones, [id]);
  const properties = await db.all<R>(SQL.properties, [id]);
  return {
    id: str(c.id),
    crmId: c.crmId,
    name: c.name,
    phones: phones.map((r) => ({ id: str(r.id), phoneId: str(r.phoneId), phone: str(r.phone), clientId: str(r.clientId) })),
    properties: properties.map((r) => ({ id: str(r.id), key: str(r.key), value: str(r.value), clientId: str(r.clientId) })),
  };
}

/**
 * The client a number belongs to (matched on its last 10 digits), or undefined. One statement, so a client
 * saved or deleted meanwhile (the API runs alongside inbound calls) is seen wholly before or wholly after.
 */
export async function findClientByNumber(db: Queries, number: string): Promise<FoundClient | undefined> {
  const n = normaliseNumber(number);
  if (!n.ok) return undefined;
  const rows = await db.all<Client & { key: string | null; value: string | null }>(SQL.byNumber, [phoneIdOf(n.number)]);
  const c = rows[0];
  if (!c) return undefined;
  const props = rows.filter((r) => r.key !== null).map((r) => ({ key: r.key as string, value: r.value ?? '' }));
  const name = props.filter((p) => p.key === 'NAME');
  return { id: c.id, crmId: c.crmId, name: c.name, properties: [...name, ...props.filter((p) => p.key !== 'NAME')] };
}

/** GET /client-by-phone/{phone}: the client's properties, NAME first; `[]` when no client has the number. */
export async function clientPropertiesByPhone(ctx: ServiceCtx, phone: string): Promise<Outcome<ClientProperty[]>> {
  const n = normaliseNumber(phone);
  if (!n.ok) return fail(`Number "${phone}" ${n.reason}`);
  return ok((await findClientByNumber(ctx.db, n.number))?.properties ?? []);
}

/** DELETE /client/{crmId}: the client with its numbers and properties; nothing to delete is fine too. */
export async function deleteClient(ctx: ServiceCtx, crmId: string): Promise<void> {
  await ctx.db.tx(async (q) => {
    const id = await q.value<number>(SQL.idByCrmId, [crmId.trim()]);
    if (id === undefined) return;
    await q.run('DELETE FROM client_phones WHERE clientId = ?', [id]);
    await q.run('DELETE FROM client_properties WHERE clientId = ?', [id]);
    await q.run('DELETE FROM clients WHERE id = ?', [id]);
  });
}
