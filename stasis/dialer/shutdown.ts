import type { DialerCore } from './core.js';

/**
 * Graceful stop, after the scheduler stopped starting calls: let calls in flight finish until the deadline
 * (real ms, already scaled), then hang up what is left and wait until every call is recorded.
 */
export async function drain(core: DialerCore, deadlineMs: number): Promise<void> {
  const { book, ari, log } = core;
  if (book.size === 0) return;
  log.info({ calls: book.size, deadlineMs }, 'stopping: waiting for calls in flight');
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((r) => (timer = setTimeout(() => r('deadline'), deadlineMs)));
  const first = await Promise.race([book.whenEmpty().then(() => 'empty' as const), deadline]);
  clearTimeout(timer);
  if (first === 'empty') return;

  log.warn({ calls: book.size }, 'shutdown deadline reached: hanging up the remaining calls');
  for (const c of book.all()) c.cutAtShutdown = true;
  await Promise.all(
    book.all().flatMap((c) => [c.channelId, c.agentChannelId].filter((x): x is string => !!x).map((id) => ari.hangup(id))),
  );
  // Hangups produce ChannelDestroyed → flows record → calls leave the book. Bound the wait anyway.
  const bound = new Promise<void>((r) => (timer = setTimeout(r, Math.max(2000, deadlineMs))));
  await Promise.race([book.whenEmpty(), bound]);
  clearTimeout(timer);
  for (const s of core.registry.all()) s.end({ by: 'local' });
  await Promise.race([book.whenEmpty(), new Promise((r) => setTimeout(r, 1000))]);
}
