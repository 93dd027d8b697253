/**
 * Per-kind reconcilers for the kinds that are not planned from a compose/network spec but run as
 * machines over the swarm's nodes (SwarmNode, SwarmPlugin, SwarmVolume, SwarmVolumeMigration).
 * The controller calls `reconcile` for a key of that kind and `remove` when the key left its source
 * or is being deleted with deletionPolicy Delete. Status is always returned, whatever step failed.
 */
import type { Logger } from 'pino';
import type { SwarmkeeperError } from '../../reconciler/errors.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import type { ResourceStatus } from '../../reconciler/status/resource-status.js';
import type { SwarmEvent } from '../runtime/docker-events.js';

/** A status with the kind's own fields (phase, progress, nodes, ...) beside the common ones. */
export type KindStatus = ResourceStatus & Record<string, unknown>;

export interface KindReconcileContext {
  signal: AbortSignal;
  reconcileId: string;
  prev: KindStatus | undefined;
  log: Logger;
  /** Root of the source the resource came from. */
  root: string;
  /** Writes an intermediate status (progress of a long operation); the final one is returned. */
  progress(status: KindStatus): Promise<void>;
  /** The other resources the controller knows (e.g. SwarmNode specs for node endpoints). */
  resources(kind: string): DesiredResource[];
}

export interface KindReconcileResult {
  status: KindStatus;
  /** Thrown by the controller after the status is written (its policy decides the retry). */
  error?: SwarmkeeperError;
  /** Reconcile again after this delay (a long operation still running). */
  requeueAfterMs?: number;
}

export interface KindRemoveResult {
  /** False: not removed yet (refused or still running); the status says why, the key is retried. */
  done: boolean;
  status?: KindStatus;
  error?: SwarmkeeperError;
  requeueAfterMs?: number;
}

export interface KindReconciler {
  reconcile(res: DesiredResource, ctx: KindReconcileContext): Promise<KindReconcileResult>;
  /** Undo what the resource made (uninstall, leave, ...). `res` is undefined when only the key is known. */
  remove?(
    key: string,
    res: DesiredResource | undefined,
    ctx: KindReconcileContext,
  ): Promise<KindRemoveResult>;
  /** A Docker event that concerns every resource of this kind (e.g. a node joined): all are requeued. */
  wantsEvent?(e: SwarmEvent): boolean;
  /**
   * It changes services (a migration scales and re-mounts them): what resync snapshots hold, so the
   * controller invalidates them after each of its runs. Nodes, plugins and volumes do not.
   */
  writesServices?: boolean;
}

export type KindReconcilers = Partial<Record<string, KindReconciler>>;
