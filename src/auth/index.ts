import type { Hono, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { coreError, NOT_AUTHENTICATED } from '../api/envelope.js';
import { bodyLimit } from 'hono/body-limit';
import { loginCandidates } from './login-form.js';
import { clientAddress, isLocalRequest } from './peer.js';
import { createLoginThrottle, createSessionStore, safeEqual } from './sessions.js';

export const SESSION_COOKIE = 'autodialer_session';
export const LOGIN_PATH = '/admin-cabinet/session/start';
const LOGIN_MAX_BYTES = 16 * 1024;
/**
 * Routes served without credentials: login itself, liveness, the API description, and the cockpit's page shell and
 * script (they hold no data; the page shows its login form when the data it reads answers 401).
 */
export const PUBLIC_PATHS: readonly string[] = [LOGIN_PATH, '/health', '/openapi.json', '/cockpit', '/cockpit/app.js'];

/** Tokens a request presents: `Authorization: Bearer <token>` and `X-Auth-Token: <token>` ("Bearer " allowed there too). */
export function presentedTokens(authorization: string | undefined, xAuthToken: string | undefined): string[] {
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
  const x = xAuthToken?.trim().replace(/^Bearer\s+/i, '');
  return [bearer, x].filter((t): t is string => !!t);
}

export interface AuthDeps {
  config: Config;
  log: Logger;
  now?: () => number;
}

/**
 * MikoPBX-compatible auth: loopback needs nothing; others need the session cookie from
 * POST /admin-cabinet/session/start, or a token from DIALER_API_TOKENS as `Authorization: Bearer <token>`
 * (newer MikoPBX) or `X-Auth-Token: <token>` (what third-party MikoPBX clients send).
 * Without DIALER_ADMIN_PASSWORD password login is refused, so only tokens and local calls work.
 */
export function installAuth(app: Hono, deps: AuthDeps): void {
  const { auth } = deps.config;
  const now = deps.now ?? Date.now;
  const sessions = createSessionStore(auth.sessionTtlSeconds, now);
  const throttle = createLoginThrottle(now);
  const log = deps.log.child({ area: 'auth' });

  const requireAuth: MiddlewareHandler = async (c, next) => {
    if (PUBLIC_PATHS.includes(c.req.path)) return next();
    if (isLocalRequest(c, auth.trustedProxies)) return next();
    const tokens = presentedTokens(c.req.header('authorization'), c.req.header('x-auth-token'));
    if (tokens.some((p) => auth.apiTokens.some((t) => safeEqual(t, p)))) return next();
    if (sessions.valid(getCookie(c, SESSION_COOKIE))) return next();
    return coreError(c, 401, NOT_AUTHENTICATED);
  };
  app.use('*', requireAuth);

  // A login form is a few dozen bytes; nobody unauthenticated gets to make the server buffer more.
  const loginLimit = bodyLimit({
    maxSize: LOGIN_MAX_BYTES,
    onError: (c) => c.json({ success: false, reload: false, message: { error: ['Login form too large'] } }, 413),
  });
  app.post(LOGIN_PATH, loginLimit, async (c) => {
    const addr = clientAddress(c, auth.trustedProxies) || 'unknown';
    if (throttle.locked(addr)) {
      log.warn({ addr }, 'login refused: too many failed attempts');
      c.header('Retry-After', String(throttle.retryAfter(addr)));
      return c.json(
        { success: false, reload: false, message: { error: ['Too many failed login attempts; try again later'] } },
        429,
      );
    }
    const candidates = await loginCandidates(c);
    const login = candidates[0]?.login ?? '';
    const good =
      auth.adminPassword !== undefined &&
      candidates.some((f) => safeEqual(f.login, auth.adminLogin) && safeEqual(f.password, auth.adminPassword!));
    if (!good) {
      throttle.fail(addr);
      log.warn({ addr, login }, 'login failed');
      const why = auth.adminPassword === undefined ? 'Password login is disabled (DIALER_ADMIN_PASSWORD is not set)' : 'Wrong login or password';
      return c.json({ success: false, reload: false, message: { error: [why] } });
    }
    // 1C keeps the whole Set-Cookie value (attributes included) cut to 200 characters and sends it back as
    // its Cookie header; name=value comes first and the whole value is ~120 characters, so the id survives.
    setCookie(c, SESSION_COOKIE, sessions.create(), {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      maxAge: auth.sessionTtlSeconds,
    });
    log.info({ addr, login }, 'login');
    return c.json({ success: true, reload: false, message: [] });
  });
}
