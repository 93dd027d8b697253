import { type BackoffOptions, backoffDelay as exponential } from '../../../reconciler/units/backoff.js';

/** controller-runtime's default per-item limiter: 5 ms doubling up to 1000 s. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 5, maxMs: 1000 * 1000 };

/** Delay before retry number `failures` (1 = first failure), by the shared law (reconciler/units/backoff.ts). */
export function backoffDelay(failures: number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  return exponential(failures, opts);
}
