/**
 * Bounded shutdown steps: nothing on the way out may wait on an unreachable Redis or Docker API.
 * ioredis queues commands while it reconnects (maxRetriesPerRequest: null), so QUIT or any last
 * write never settles while Redis is down; each step gets a deadline, and a connection that cannot
 * quit in time is disconnected (dropped without waiting for a reply).
 */
import type { Redis } from 'ioredis';

/** True when `p` settled (resolved or rejected) within `ms`. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
  });
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `done()` is true (checked every 50 ms) or `ms` passed; true when it became true. */
export async function until(done: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, Math.min(50, Math.max(1, end - Date.now()))));
  }
  return true;
}

/** QUIT when connected and answered within `ms`; otherwise (or then) disconnect without waiting. */
export async function closeRedis(redis: Redis, ms = 1000): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status === 'ready' && (await settlesWithin(redis.quit(), ms))) return;
  redis.disconnect();
}
