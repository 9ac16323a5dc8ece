import { request } from 'undici';
import type { Logger } from '../logger.js';
import type { CrmClient, CrmRequest, CrmResult } from '../ports.js';

/** Where send_crm posts (settings crmUrl, crmLogin, crmPassword); crmUrl '' = not configured. */
export interface CrmTarget {
  crmUrl: string;
  crmLogin: string;
  crmPassword: string;
}

export interface CrmClientOptions {
  settings: { current(): Promise<CrmTarget> };
  log: Logger;
  /** The whole request, answer included (default 10 s, as v1.35). */
  timeoutMs?: number;
}

export interface CrmClientWithTarget extends CrmClient {
  /** POST to an explicit target rather than the configured one (POST /crm-check tries settings before saving). */
  sendTo(target: CrmTarget, req: CrmRequest, signal?: AbortSignal): Promise<CrmResult>;
}

/** The largest CRM answer read; what a survey speaks is short. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/**
 * send_crm's HTTP call, as ModuleAutoDialer v1.35 makes it: the survey's answers POSTed as JSON to the CRM URL,
 * with Basic auth when a login is set; the answer's `data` (text as it is, anything else as JSON) is what the
 * survey speaks, or the whole body when it is not JSON. Never throws; bounded by `timeoutMs` and the caller's signal.
 */
export function createCrmClient(opts: CrmClientOptions): CrmClientWithTarget {
  const timeoutMs = opts.timeoutMs ?? 10_000;

  async function sendTo(target: CrmTarget, req: CrmRequest, signal?: AbortSignal): Promise<CrmResult> {
    if (!target.crmUrl) return { ok: false, message: 'the CRM is not configured (crmUrl)' };
    const started = Date.now();
    const deadline = AbortSignal.timeout(timeoutMs);
    const stop = signal ? AbortSignal.any([deadline, signal]) : deadline;
    const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', accept: 'application/json' };
    if (target.crmLogin) headers.authorization = `Basic ${Buffer.from(`${target.crmLogin}:${target.crmPassword}`).toString('base64')}`;
    let res;
    try {
      res = await request(target.crmUrl, { method: 'POST', headers, body: JSON.stringify(req), signal: stop, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    } catch (err) {
      return failure(err, stop, signal, timeoutMs, target.crmUrl);
    }
    let body: string;
    try {
      body = await readLimited(res.body);
    } catch (err) {
      return failure(err, stop, signal, timeoutMs, target.crmUrl);
    }
    const ms = Date.now() - started;
    if (res.statusCode < 200 || res.statusCode > 299) {
      opts.log.warn({ status: res.statusCode, ms }, 'the CRM refused send_crm');
      const said = body.trim().slice(0, 200);
      return { ok: false, message: `the CRM answered HTTP ${res.statusCode}${said ? `: ${said}` : ''}` };
    }
    opts.log.debug({ status: res.statusCode, ms }, 'CRM answered');
    return { ok: true, status: res.statusCode, data: dataOf(body) };
  }

  return {
    sendTo,
    send: async (req, signal) => {
      const target = await opts.settings.current();
      return sendTo(target, req, signal).catch((err: Error) => ({ ok: false as const, message: `the CRM request failed: ${err.message}` }));
    },
  };
}

/** `.data` of a JSON answer (a string as it is, anything else as JSON text), else the body itself. */
export function dataOf(body: string): string {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return body;
  }
  if (json !== null && typeof json === 'object' && !Array.isArray(json) && 'data' in json) {
    const data = (json as { data: unknown }).data;
    if (typeof data === 'string') return data;
    if (data === null || data === undefined) return '';
    return typeof data === 'object' ? JSON.stringify(data) : String(data);
  }
  return body;
}

/**
 * What send_crm speaks: `<result>` in the template replaced by the CRM's data; an empty template speaks the data
 * as it is.
 */
export function fillResponseTemplate(template: string, data: string): string {
  return template.trim() === '' ? data : template.replace(/<result>/gi, data);
}

async function readLimited(body: AsyncIterable<Buffer | Uint8Array> & { destroy?: () => void }): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    size += c.length;
    if (size > MAX_ANSWER_BYTES) {
      body.destroy?.();
      throw Object.assign(new Error(`the CRM's answer is larger than ${MAX_ANSWER_BYTES} bytes`), { code: 'TOO_LARGE' });
    }
    chunks.push(Buffer.from(c));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function failure(err: unknown, stop: AbortSignal, signal: AbortSignal | undefined, timeoutMs: number, url: string): CrmResult {
  const e = err as Error & { code?: string };
  if (signal?.aborted) return { ok: false, message: 'the CRM request was cancelled (the call ended)' };
  if (stop.aborted || /Timeout/.test(e.code ?? '')) return { ok: false, message: `the CRM did not answer within ${timeoutMs} ms` };
  if (e.code === 'TOO_LARGE') return { ok: false, message: e.message };
  return { ok: false, message: `the CRM at ${safeUrl(url)} is unreachable (${e.code ?? e.message})` };
}

/** The URL without credentials someone may have put in it (for logs and answers); `fallback` when it is no URL. */
export function urlWithoutCredentials(url: string, fallback = 'the configured URL'): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return fallback;
  }
}
const safeUrl = (url: string) => urlWithoutCredentials(url);
