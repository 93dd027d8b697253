/** Exponential backoff, one law for the queue, machine steps and reconnecting watchers. Pure. */

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay before retry number `attempt` (1 = after the first failure): baseMs * 2^(attempt-1), capped at maxMs
 * (client-go's ItemExponentialFailureRateLimiter). An attempt below 1 or not finite counts as the first.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const exp = Number.isFinite(attempt) && attempt >= 1 ? Math.min(Math.floor(attempt) - 1, 1023) : 0;
  // 2^1023 is finite (0 * it is 0); base * it may overflow to Infinity, which min() turns into maxMs.
  return Math.min(opts.baseMs * 2 ** exp, opts.maxMs);
}

/** `ms` spread by ±`spread` (0.2 = ±20%), with `random` in [0, 1). */
export function jitter(ms: number, spread: number, random: () => number = Math.random): number {
  return ms * (1 - spread + 2 * spread * random());
}
