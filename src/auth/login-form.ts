import type { Context } from 'hono';

export interface LoginCandidate {
  login: string;
  password: string;
}

/**
 * The credentials a login form may mean. A browser or curl URL-encodes the form; the 1C client does not: it
 * sends `&login=<login>&password=<password>&` as typed, so a password with `+`, `%` or `&` would be mangled
 * by form decoding. The raw reading is tried as well; both are checked against the same configured pair.
 */
export async function loginCandidates(c: Context): Promise<LoginCandidate[]> {
  try {
    if (/^multipart\//i.test(c.req.header('content-type') ?? '')) {
      const form = await c.req.parseBody();
      return [{ login: str(form.login), password: str(form.password) }];
    }
    const body = await c.req.text();
    const form = new URLSearchParams(body);
    const out = [{ login: form.get('login') ?? '', password: form.get('password') ?? '' }];
    const raw = /^&?login=(.*?)&password=(.*?)&?$/s.exec(body);
    if (raw && (raw[1] !== out[0].login || raw[2] !== out[0].password)) out.push({ login: raw[1], password: raw[2] });
    return out;
  } catch {
    return []; // an unreadable form is just a failed login
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
