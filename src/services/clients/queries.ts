import { normaliseNumber, phoneIdOf } from '../../domain/phone.js';
import type { Db } from '../../db/client.js';
import { fail, ok, stmt, type Outcome, type ServiceCtx } from '../context.js';

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

const statements = (db: Db) =>
  stmt(db, 'clients.queries', () => {
    const p = (sql: string) => db.$client.prepare(sql);
    return {
      client: p('SELECT id, crmId, name FROM clients WHERE id = ?'),
      phones: p('SELECT id, phoneId, phone, clientId FROM client_phones WHERE clientId = ? ORDER BY id'),
      properties: p('SELECT id, key, value, clientId FROM client_properties WHERE clientId = ? ORDER BY id'),
      // A number two clients share belongs to the one whose numbers were saved last.
      byPhoneId: p('SELECT clientId FROM client_phones WHERE phoneId = ? ORDER BY id DESC LIMIT 1').pluck(),
      idByCrmId: p('SELECT id FROM clients WHERE crmId = ?').pluck(),
      deleteClient: p('DELETE FROM clients WHERE id = ?'),
      deletePhones: p('DELETE FROM client_phones WHERE clientId = ?'),
      deleteProperties: p('DELETE FROM client_properties WHERE clientId = ?'),
    };
  });

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));

export function readClient(db: Db, id: number): ClientRow | undefined {
  const s = statements(db);
  const c = s.client.get(id) as { id: number; crmId: string; name: string } | undefined;
  if (!c) return undefined;
  type R = Record<string, unknown>;
  return {
    id: str(c.id),
    crmId: c.crmId,
    name: c.name,
    phones: (s.phones.all(id) as R[]).map((r) => ({ id: str(r.id), phoneId: str(r.phoneId), phone: str(r.phone), clientId: str(r.clientId) })),
    properties: (s.properties.all(id) as R[]).map((r) => ({ id: str(r.id), key: str(r.key), value: str(r.value), clientId: str(r.clientId) })),
  };
}

/** The client a number belongs to (matched on its last 10 digits), or undefined. */
export function findClientByNumber(db: Db, number: string): FoundClient | undefined {
  const n = normaliseNumber(number);
  if (!n.ok) return undefined;
  const s = statements(db);
  const id = s.byPhoneId.get(phoneIdOf(n.number)) as number | undefined;
  if (id === undefined) return undefined;
  const c = s.client.get(id) as { id: number; crmId: string; name: string } | undefined;
  if (!c) return undefined;
  const props = (s.properties.all(id) as { key: string; value: string }[]).map((r) => ({ key: r.key, value: r.value }));
  const name = props.filter((p) => p.key === 'NAME');
  return { id: c.id, crmId: c.crmId, name: c.name, properties: [...name, ...props.filter((p) => p.key !== 'NAME')] };
}

/** GET /client-by-phone/{phone}: the client's properties, NAME first; `[]` when no client has the number. */
export function clientPropertiesByPhone(ctx: ServiceCtx, phone: string): Outcome<ClientProperty[]> {
  const n = normaliseNumber(phone);
  if (!n.ok) return fail(`Number "${phone}" ${n.reason}`);
  return ok(findClientByNumber(ctx.db, n.number)?.properties ?? []);
}

/** DELETE /client/{crmId}: the client with its numbers and properties; nothing to delete is fine too. */
export function deleteClient(ctx: ServiceCtx, crmId: string): void {
  const s = statements(ctx.db);
  ctx.db.$client.transaction(() => {
    const id = s.idByCrmId.get(crmId.trim()) as number | undefined;
    if (id === undefined) return;
    s.deletePhones.run(id);
    s.deleteProperties.run(id);
    s.deleteClient.run(id);
  })();
}
