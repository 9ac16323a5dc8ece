/**
 * The wire of the module's 1C client (mikopbx/ModuleAutoDialer, 1c/CommonModules/МИКО_аиAPI, СоединениеСАТС):
 * raw HTTP requests with header names and body bytes exactly as 1C's HTTPСоединение sends them, the answers'
 * header names as they came over the wire (1C's ОтветСервера.Заголовки is a case-sensitive Соответствие), the
 * login dance with its stored TOKEN setting, and 1C's JSON writer output. Shared by test/api/one-c-client.test.ts
 * and test/e2e/one-c-replay.test.ts.
 */
import { request as httpRequest } from 'node:http';

export const BASE = '/pbxcore/api/module-dialer/v1';

export interface RawAnswer {
  status: number;
  /** Header names exactly as they came over the wire, in order. */
  rawHeaders: string[];
  body: string;
}

/** One request with header names and body bytes exactly as given (Node adds nothing to a header array). */
export function raw(url: string, method: string, path: string, headers: [string, string][], body?: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const bytes = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const all: [string, string][] = [['Host', new URL(url).host], ...headers];
    if (bytes) all.push(['Content-Length', String(bytes.length)]);
    const req = httpRequest(`${url}${path}`, { method, headers: all.flat() as unknown as Record<string, string>, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(bytes);
  });
}

/** 1C's ОтветСервера.Заголовки: a Соответствие keyed by the header name exactly as sent. */
export const headerMap = (a: RawAnswer) => {
  const m = new Map<string, string>();
  for (let i = 0; i < a.rawHeaders.length; i += 2) m.set(a.rawHeaders[i], a.rawHeaders[i + 1]);
  return m;
};

/** What HTTPСоединение puts on every request before the module's own headers. */
export const ONE_C_HEADERS: [string, string][] = [
  ['User-Agent', '1C+Enterprise/8.3'],
  ['Accept', '*/*'],
];

/** 1C's ЗаписьJSON output for a Структура (pretty-printed), written by УстановитьТелоИзСтроки with a UTF-8 BOM. */
export const oneCJson = (v: unknown) => '\uFEFF' + JSON.stringify(v, null, '\t');

/**
 * СоединениеСАТС: the stored TOKEN setting and the dance around it. Returns the cookie for this call, or undefined.
 * `via`: headers a network path adds to every request (e.g. X-Forwarded-For from a reverse proxy in front of the PBX).
 */
export async function connect(
  url: string,
  settings: { TOKEN?: string },
  login: string,
  password: string,
  log: string[],
  via: [string, string][] = [],
): Promise<string | undefined> {
  if (settings.TOKEN) {
    const probe = await raw(url, 'GET', `${BASE}/test`, [...ONE_C_HEADERS, ...via, ['Cookie', settings.TOKEN]]);
    log.push(`probe ${probe.status}`);
    if (probe.status === 200) return settings.TOKEN;
    settings.TOKEN = undefined;
  }
  const answer = await raw(
    url,
    'POST',
    '/admin-cabinet/session/start',
    [...ONE_C_HEADERS, ...via, ['X-Requested-With', 'XMLHttpRequest'], ['Content-Type', 'application/x-www-form-urlencoded']],
    `&login=${login}&password=${password}&`,
  );
  log.push(`login ${answer.status}`);
  if (answer.status !== 200) return undefined;
  const session = headerMap(answer).get('Set-Cookie');
  const result = JSON.parse(answer.body);
  const error = Array.isArray(result.message) ? undefined : result.message?.error;
  if (result.success !== true || (error && error.length) || !session) return undefined;
  settings.TOKEN = session.slice(0, 200); // МИКО_аиНастройки.Значение is a string of at most 200 characters
  return session; // this first call uses the value as received
}
