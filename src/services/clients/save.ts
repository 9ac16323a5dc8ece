import { ok, stmt, type Outcome, type ServiceCtx } from '../context.js';
import type { Db } from '../../db/client.js';
import { checkClients, type CheckedClient, type ClientInput } from './normalise.js';
import { readClient, type ClientRow } from './queries.js';

export const NAME_KEY = 'NAME';

/**
 * POST /client: upsert every client by crmId in one transaction. Given phones / properties replace the
 * stored ones; omitted (or null) ones stay, as `numbers` of POST /task. Without a NAME property the
 * client's name is stored as an automatic NAME property that follows later renames.
 * `data` = the saved clients as the original answers them (ids as strings, like its database rows).
 */
export function saveClients(ctx: ServiceCtx, input: readonly ClientInput[]): Outcome<ClientRow[]> {
  const checked = checkClients(input);
  if (!checked.ok) return { ok: false, messages: checked.messages };
  const db = ctx.db;
  const saved = db.$client.transaction(() => checked.clients.map((c) => readClient(db, upsertOne(db, c))!))();
  return ok(saved, checked.warnings);
}

function upsertOne(db: Db, c: CheckedClient): number {
  const s = statements(db);
  const existing = s.byCrmId.get(c.crmId) as { id: number; name: string } | undefined;
  const name = c.name ?? existing?.name ?? '';
  let id: number;
  if (existing) {
    id = existing.id;
    s.rename.run(name, id);
  } else {
    id = Number(s.insertClient.run(c.crmId, name).lastInsertRowid);
  }
  if (c.phones) {
    s.deletePhones.run(id);
    for (const p of c.phones) s.insertPhone.run(id, p.phoneId, p.phone);
  }
  if (c.properties) {
    s.deleteProperties.run(id);
    for (const p of c.properties) s.insertProperty.run(id, p.key, p.value, 0);
    if (!c.properties.some((p) => p.key === NAME_KEY)) s.insertProperty.run(id, NAME_KEY, name, 1);
  } else {
    // Properties kept: an automatic NAME follows the name; a client without any NAME gets one.
    s.renameAuto.run(name, id);
    if (!s.hasName.get(id, NAME_KEY)) s.insertProperty.run(id, NAME_KEY, name, 1);
  }
  return id;
}

const statements = (db: Db) =>
  stmt(db, 'clients.save', () => {
    const p = (sql: string) => db.$client.prepare(sql);
    return {
      byCrmId: p('SELECT id, name FROM clients WHERE crmId = ?'),
      insertClient: p('INSERT INTO clients (crmId, name) VALUES (?, ?)'),
      rename: p('UPDATE clients SET name = ? WHERE id = ?'),
      deletePhones: p('DELETE FROM client_phones WHERE clientId = ?'),
      insertPhone: p('INSERT INTO client_phones (clientId, phoneId, phone) VALUES (?, ?, ?)'),
      deleteProperties: p('DELETE FROM client_properties WHERE clientId = ?'),
      insertProperty: p('INSERT INTO client_properties (clientId, key, value, auto) VALUES (?, ?, ?, ?)'),
      renameAuto: p('UPDATE client_properties SET value = ? WHERE clientId = ? AND auto = 1'),
      hasName: p('SELECT 1 FROM client_properties WHERE clientId = ? AND key = ?').pluck(),
    };
  });
