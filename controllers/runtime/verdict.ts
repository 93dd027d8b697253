/**
 * What one reconcile decided, written by the reconcile loop ONCE at its end (Flux's deferred
 * patch): the status, the ownership conflicts, the owner index, the Events, the metrics and the
 * snapshot epoch. Every step of the loop (conflict, finalize, dependsOn, the kind) returns one.
 */
import type { ResourceStatus } from '../../reconciler/status/resource-status.js';
import type { KindEffects } from '../ports.js';

export interface Verdict extends KindEffects {
  /** The status to write; null deletes it; undefined leaves it as it is. */
  status?: ResourceStatus | null;
  /** Thrown after everything is written: the queue applies its retry policy. */
  error?: unknown;
  /** Reconcile again after this delay. */
  requeueAfterMs?: number;
  /** A kind reconciled the key: its readiness is a metric, and it counts as a success. */
  kindRan?: boolean;
  /** The key was pruned: the owner index, the conflicts and its revision metric forget it. */
  forget?: boolean;
  /**
   * Runs last, after the Events are recorded: releasing a finalizer deletes the custom resource, and an
   * Event recorded after that no longer finds the object it is about.
   */
  release?: () => Promise<void>;
}
