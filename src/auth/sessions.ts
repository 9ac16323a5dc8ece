import { isIP } from 'node:net';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** In-memory admin sessions (like the original's PHP session): a restart logs everybody out. */
export function createSessionStore(ttlSeconds: number, now: () => number = Date.now) {
  const sessions = new Map<string, number>(); // token → expiry ms
  const sweep = () => {
    const t = now();
    for (const [k, exp] of sessions) if (exp <= t) sessions.delete(k);
  };
  return {
    create(): string {
      if (sessions.size > 10_000) sweep();
      const token = randomBytes(32).toString('hex');
      sessions.set(token, now() + ttlSeconds * 1000);
      return token;
    },
    valid(token: string | undefined): boolean {
      if (!token) return false;
      const exp = sessions.get(token);
      if (exp === undefined) return false;
      if (exp <= now()) {
        sessions.delete(token);
        return false;
      }
      return true;
    },
  };
}

export const LOCKOUT_ATTEMPTS = 10;
export const LOCKOUT_WINDOW_MS = 300_000;

const SWEEP_AT = 10_000;

/**
 * The unit a lockout applies to: an IPv4 address, or an IPv6 /64 — one subscriber usually owns a whole /64,
 * so rotating addresses inside it must not reset the count.
 */
export function throttleKey(addr: string): string {
  if (isIP(addr) !== 6) return addr;
  const [head, tail = ''] = addr.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = addr.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * Failed-login throttle per client address (IPv6: per /64): after 10 failures within 300 s further attempts are refused,
 * correct or not, until the oldest failure leaves the window.
 */
export function createLoginThrottle(now: () => number = Date.now) {
  const failures = new Map<string, number[]>();
  const sweep = () => {
    const t = now();
    for (const [k, list] of failures) if (t - list[list.length - 1] >= LOCKOUT_WINDOW_MS) failures.delete(k);
  };
  const recent = (addr: string) => {
    addr = throttleKey(addr);
    const t = now();
    const list = (failures.get(addr) ?? []).filter((x) => t - x < LOCKOUT_WINDOW_MS);
    if (list.length) failures.set(addr, list);
    else failures.delete(addr);
    return list;
  };
  return {
    locked: (addr: string) => recent(addr).length >= LOCKOUT_ATTEMPTS,
    /** Seconds until the address may try again. */
    retryAfter: (addr: string) => {
      const list = recent(addr);
      return list.length ? Math.ceil((list[0] + LOCKOUT_WINDOW_MS - now()) / 1000) : 0;
    },
    fail: (addr: string) => {
      // addresses that stopped trying are forgotten, so the map cannot grow without bound
      if (failures.size >= SWEEP_AT) sweep();
      failures.set(throttleKey(addr), [...recent(addr), now()]);
    },
  };
}

/** Constant-time string comparison (hash first so lengths do not leak). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}
