import type { BackoffOptions } from './types.js';

/** controller-runtime's default per-item limiter: 5 ms doubling up to 1000 s. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 5, maxMs: 1000 * 1000 };

/**
 * Delay before retry number `failures` (1 = first failure): baseMs * 2^(failures-1), capped at maxMs.
 * Same law as client-go's ItemExponentialFailureRateLimiter.
 */
export function backoffDelay(failures: number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  if (!Number.isFinite(failures) || failures < 1) return opts.baseMs <= opts.maxMs ? opts.baseMs : opts.maxMs;
  const exp = Math.floor(failures) - 1;
  // 2^1024 overflows to Infinity, which min() turns into maxMs.
  const raw = opts.baseMs * 2 ** exp;
  return Math.min(raw, opts.maxMs);
}
