import type { Db } from '../../src/db/client.js';
import { normaliseNumber, phoneIdOf } from '../../src/domain/phone.js';
import { findClientByNumber } from '../../src/services/clients/queries.js';
import { inboundRoute } from '../../src/services/inbound/index.js';

/** What to do with one inbound call, decided from the database before the channel is answered. */
export type InboundPlan =
  | { kind: 'poll'; pollingId: number; known: boolean; clientCrmId?: string; phone: string; phoneId: string; params: Record<string, string> }
  | { kind: 'refuse'; reason: 'not-configured' | 'no-polling'; known: boolean };

/**
 * A caller found among the clients (by the last 10 digits of the caller id, as the original's phoneId) gets the
 * number's OK polling with the client's properties as `<KEY>` placeholders; anyone else — an unknown or hidden
 * number — the FAIL polling with no placeholders.
 */
export async function planInbound(db: Db, exten: string, callerId: string): Promise<InboundPlan> {
  const route = await inboundRoute(db, exten);
  const n = normaliseNumber(callerId);
  const client = n.ok ? await findClientByNumber(db, n.number) : undefined;
  const known = client !== undefined;
  if (!route) return { kind: 'refuse', reason: 'not-configured', known };
  const pollingId = known ? route.okPollingId : route.failPollingId;
  if (!pollingId) return { kind: 'refuse', reason: 'no-polling', known };
  // Answers are stored under the caller's number as task numbers are stored (digits), else as presented.
  const phone = n.ok ? n.number : callerId.trim().slice(0, 80);
  const params = Object.fromEntries((client?.properties ?? []).map((p) => [p.key, p.value]));
  return { kind: 'poll', pollingId, known, clientCrmId: client?.crmId, phone, phoneId: phoneIdOf(phone), params };
}
