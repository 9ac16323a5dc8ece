import { ok, type Outcome, type ServiceCtx } from '../context.js';
import type { Queries } from '../../db/client.js';
import { checkClients, type CheckedClient, type ClientInput } from './normalise.js';
import { readClient, type ClientRow } from './queries.js';

export const NAME_KEY = 'NAME';

/**
 * POST /client: upsert every client by crmId in one transaction. Given phones / properties replace the
 * stored ones; omitted (or null) ones stay, as `numbers` of POST /task. Without a NAME property the
 * client's name is stored as an automatic NAME property that follows later renames.
 * `data` = the saved clients as the original answers them (ids as strings, like its database rows).
 */
export async function saveClients(ctx: ServiceCtx, input: readonly ClientInput[]): Promise<Outcome<ClientRow[]>> {
  const checked = checkClients(input);
  if (!checked.ok) return { ok: false, messages: checked.messages };
  const saved = await ctx.db.tx(async (q) => {
    const out: ClientRow[] = [];
    for (const c of checked.clients) out.push((await readClient(q, await upsertOne(q, c)))!);
    return out;
  });
  return ok(saved, checked.warnings);
}

async function upsertOne(q: Queries, c: CheckedClient): Promise<number> {
  // One statement inserts or renames (a name not given keeps the stored one) and, in PostgreSQL, locks the
  // client's row until commit, so two requests saving one client at once run one after the other.
  const saved = (await q.get<{ id: number; name: string }>(
    `INSERT INTO clients (crmId, name) VALUES (?, ?)
     ON CONFLICT (crmId) DO UPDATE SET name = COALESCE(?, clients.name) RETURNING id, name`,
    [c.crmId, c.name ?? '', c.name ?? null],
  ))!;
  const { id, name } = saved;
  if (c.phones) {
    await q.run('DELETE FROM client_phones WHERE clientId = ?', [id]);
    for (const p of c.phones) await q.run('INSERT INTO client_phones (clientId, phoneId, phone) VALUES (?, ?, ?)', [id, p.phoneId, p.phone]);
  }
  if (c.properties) {
    await q.run('DELETE FROM client_properties WHERE clientId = ?', [id]);
    for (const p of c.properties) await insertProperty(q, id, p.key, p.value, 0);
    if (!c.properties.some((p) => p.key === NAME_KEY)) await insertProperty(q, id, NAME_KEY, name, 1);
  } else {
    // Properties kept: an automatic NAME follows the name; a client without any NAME gets one.
    await q.run('UPDATE client_properties SET value = ? WHERE clientId = ? AND auto = 1', [name, id]);
    const hasName = await q.value('SELECT 1 FROM client_properties WHERE clientId = ? AND key = ?', [id, NAME_KEY]);
    if (hasName === undefined) await insertProperty(q, id, NAME_KEY, name, 1);
  }
  return id;
}

const insertProperty = (q: Queries, clientId: number, key: string, value: string, auto: 0 | 1) =>
  q.run('INSERT INTO client_properties (clientId, key, value, auto) VALUES (?, ?, ?, ?)', [clientId, key, value, auto]);
