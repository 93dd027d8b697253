import { isSwarmkeeperError } from '../../../reconciler/errors.js';
import type { ReconcileResult } from './types.js';

export type Settled = { ok: true; value: ReconcileResult } | { ok: false; error: unknown };

/** An attempt's result before the failure counter is consulted. */
export type Classified =
  | { kind: 'success' }
  | { kind: 'requeue'; requeueAfterMs: number }
  | { kind: 'waiting'; requeueAfterMs: number; error: unknown; keepsBackoff?: true }
  | { kind: 'terminal'; error: unknown }
  | { kind: 'transient'; error: unknown }
  | { kind: 'aborted'; error?: unknown };

function validDelay(ms: unknown): ms is number {
  return typeof ms === 'number' && Number.isFinite(ms) && ms >= 0;
}

/**
 * Maps what a reconcile returned or threw to what the queue does next. An aborted attempt
 * (queue closing, key lock lost) is requeued at once whatever it returned: its work may be half done.
 * A `waiting` error without a valid requeueAfterMs backs off like a transient one.
 */
export function classify(settled: Settled, aborted: boolean): Classified {
  if (aborted) return settled.ok ? { kind: 'aborted' } : { kind: 'aborted', error: settled.error };
  if (settled.ok) {
    const after = settled.value?.requeueAfterMs;
    return validDelay(after) ? { kind: 'requeue', requeueAfterMs: after } : { kind: 'success' };
  }
  const err = settled.error;
  if (isSwarmkeeperError(err)) {
    if (err.policy === 'terminal') return { kind: 'terminal', error: err };
    if (err.policy === 'waiting' && validDelay(err.requeueAfterMs)) {
      return {
        kind: 'waiting',
        requeueAfterMs: err.requeueAfterMs,
        error: err,
        ...(err.keepsBackoff ? { keepsBackoff: true as const } : {}),
      };
    }
  }
  return { kind: 'transient', error: err };
}
