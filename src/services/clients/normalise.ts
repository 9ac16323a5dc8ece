import { normaliseNumber, phoneIdOf } from '../../domain/phone.js';

/** One client of POST /client after the route's schema: types settled, numbers not yet checked. */
export interface ClientInput {
  crmId: string;
  name?: string;
  phones?: unknown[];
  properties?: { key: string; value: string }[];
}

export interface ClientPhone {
  phone: string;
  phoneId: string;
}

/** One client, checked: phones normalised and de-duplicated, property keys unique. */
export interface CheckedClient {
  crmId: string;
  name: string | undefined;
  /** undefined = not given: the stored phones stay. */
  phones: ClientPhone[] | undefined;
  /** undefined = not given: the stored properties stay (an automatic NAME follows the name). */
  properties: { key: string; value: string }[] | undefined;
}

export type Checked = { ok: true; clients: CheckedClient[]; warnings: string[] } | { ok: false; messages: string[] };

const MAX_MESSAGES = 20;

/**
 * Checks every client before anything is written, so one bad entry refuses the whole request (the original
 * saved what came before it). Messages name the entry as `clients[i]...`.
 */
export function checkClients(input: readonly ClientInput[]): Checked {
  const errors: string[] = [];
  const warnings: string[] = [];
  const seenCrmIds = new Map<string, number>();
  const clients = input.map((c, i): CheckedClient => {
    const at = `clients[${i}]`;
    const first = seenCrmIds.get(c.crmId);
    // Two entries with one crmId would make the answer say one thing and the database keep the other.
    if (first !== undefined) errors.push(`Field "${at}.crmId" "${c.crmId}" repeats clients[${first}]`);
    else seenCrmIds.set(c.crmId, i);
    return { crmId: c.crmId, name: c.name, phones: c.phones && checkPhones(c.phones, at, errors, warnings), properties: c.properties && checkProperties(c.properties, at, errors) };
  });
  if (errors.length > 0) {
    const shown = errors.slice(0, MAX_MESSAGES);
    if (errors.length > MAX_MESSAGES) shown.push(`... and ${errors.length - MAX_MESSAGES} more errors`);
    return { ok: false, messages: shown };
  }
  return { ok: true, clients, warnings: warnings.slice(0, MAX_MESSAGES) };
}

function checkPhones(raw: readonly unknown[], at: string, errors: string[], warnings: string[]): ClientPhone[] {
  const out: ClientPhone[] = [];
  const seen = new Set<string>();
  raw.forEach((p, j) => {
    if (p === null || p === undefined || (typeof p === 'string' && p.trim() === '')) {
      warnings.push(`Field "${at}.phones[${j}]" is empty and was skipped`);
      return;
    }
    const n = normaliseNumber(p);
    if (!n.ok) {
      errors.push(`Number "${String(p)}" (${at}.phones[${j}]) ${n.reason}`);
      return;
    }
    const phoneId = phoneIdOf(n.number);
    if (seen.has(phoneId)) return; // 7900… and 8900… are one number: kept once, first wins
    seen.add(phoneId);
    out.push({ phone: n.number, phoneId });
  });
  return out;
}

function checkProperties(props: readonly { key: string; value: string }[], at: string, errors: string[]) {
  const seen = new Map<string, number>();
  props.forEach((p, j) => {
    const first = seen.get(p.key);
    // The original kept both rows and its lookup silently used the last: say so instead.
    if (first !== undefined) errors.push(`Field "${at}.properties[${j}].key" "${p.key}" repeats properties[${first}]`);
    else seen.set(p.key, j);
  });
  return props.map((p) => ({ key: p.key, value: p.value }));
}
