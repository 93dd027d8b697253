/**
 * The pure decisions of the coordination.k8s.io/v1 Lease election (see kube-lease.ts): is a Lease
 * record expired, what does a replica do next (create, renew, take over, wait), when does it look
 * again, and when must a leader that cannot renew step down. Times are epoch milliseconds.
 *
 * Expiry is judged from the record's renewTime (the holder's clock) against the reader's clock, so
 * the replicas' clocks must agree to well within the lease duration (NTP); in exchange a candidate
 * takes over at most one lease duration (plus its poll delay) after the holder's last renewal.
 */

/** The fields of a Lease that the election reads. */
export interface LeaseRecord {
  /** holderIdentity; empty or absent when the Lease was released. */
  holder?: string | undefined;
  /** leaseDurationSeconds, in milliseconds. */
  durationMs?: number | undefined;
  renewTimeMs?: number | undefined;
  acquireTimeMs?: number | undefined;
  transitions?: number | undefined;
}

export type LeaseAction =
  /** No Lease exists: create it with us as the holder. */
  | { type: 'create' }
  /** We hold it (and it has not been taken over): write a new renewTime. */
  | { type: 'renew' }
  /** Released or expired: write us as the holder (optimistic: the read resourceVersion). */
  | { type: 'takeover'; transitions: number }
  /** Someone else holds it until expiresAtMs. */
  | { type: 'wait'; holder: string; expiresAtMs: number };

/** MicroTime / Time from the API (an RFC 3339 string, or a Date once deserialized) -> epoch ms. */
export function parseApiTime(v: unknown): number | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.getTime();
  if (typeof v !== 'string' || v === '') return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

/** When the record stops protecting its holder; undefined when it has no holder or no renewTime. */
export function expiresAt(lease: LeaseRecord, defaultDurationMs: number): number | undefined {
  if (!lease.holder || lease.renewTimeMs === undefined) return undefined;
  const d = lease.durationMs !== undefined && lease.durationMs > 0 ? lease.durationMs : defaultDurationMs;
  return lease.renewTimeMs + d;
}

/** A record with a holder whose renewTime + duration has passed (a record without renewTime is expired). */
export function isExpired(lease: LeaseRecord, nowMs: number, defaultDurationMs: number): boolean {
  if (!lease.holder) return false;
  const at = expiresAt(lease, defaultDurationMs);
  return at === undefined || nowMs > at;
}

/** What `me` does with the Lease as it was just read (undefined: there is none). */
export function decide(
  lease: LeaseRecord | undefined,
  me: string,
  nowMs: number,
  defaultDurationMs: number,
): LeaseAction {
  if (!lease) return { type: 'create' };
  if (lease.holder === me) return { type: 'renew' };
  const transitions = (lease.transitions ?? 0) + 1;
  if (!lease.holder || isExpired(lease, nowMs, defaultDurationMs)) return { type: 'takeover', transitions };
  return { type: 'wait', holder: lease.holder, expiresAtMs: expiresAt(lease, defaultDurationMs)! };
}

/**
 * How long a candidate sleeps before reading the Lease again: the retry period, or less when the
 * holder's record expires sooner (then just after it expires), never less than minMs.
 */
export function candidateDelay(
  action: LeaseAction,
  nowMs: number,
  retryMs: number,
  minMs = 50,
  graceMs = 25,
): number {
  if (action.type !== 'wait') return minMs;
  const untilExpiry = action.expiresAtMs - nowMs + graceMs;
  return Math.max(minMs, Math.min(retryMs, untilExpiry));
}

/**
 * A leader whose renewal failed: keep trying until the renew deadline (counted from the last
 * successful renewal), then step down, so it stops before any candidate may take over.
 */
export function afterRenewFailure(
  nowMs: number,
  lastRenewMs: number,
  renewDeadlineMs: number,
): 'retry' | 'stepDown' {
  return nowMs - lastRenewMs >= renewDeadlineMs ? 'stepDown' : 'retry';
}

/** The timing of an election from its lease duration (whole seconds, as the Lease stores it). */
export function leaseTiming(durationMs: number): {
  durationSeconds: number;
  durationMs: number;
  renewEveryMs: number;
  renewDeadlineMs: number;
  retryMs: number;
} {
  const durationSeconds = Math.max(1, Math.ceil(durationMs / 1000));
  const d = durationSeconds * 1000;
  return {
    durationSeconds,
    durationMs: d,
    renewEveryMs: Math.floor(d / 3),
    renewDeadlineMs: Math.floor((d * 2) / 3),
    retryMs: Math.floor(d / 3),
  };
}
