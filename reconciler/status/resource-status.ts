import type { SwarmkeeperError } from '../errors.js';
import type { BlockedChange, FieldChange, PlanSummary } from '../plan/types.js';
import { type ImageChange, keptChanges } from '../plan/image-update.js';
import { type Condition, type ConditionInput, setCondition } from './conditions.js';

/** Health of one Swarm service as observed after a reconcile. */
export interface ServiceHealth {
  name: string;
  image: string;
  mode: 'replicated' | 'global' | 'job';
  /**
   * Tasks Swarm wants running now (for global services: one per eligible node); for a job, the
   * completions it wants (a global job: one per eligible node).
   */
  desiredReplicas: number;
  runningReplicas: number;
  /** Jobs only: tasks that completed. A job has converged once they reach desiredReplicas. */
  completedReplicas?: number;
  updateState?: string;
  updateMessage?: string;
}

export interface ResourceStatus {
  observedGeneration?: number;
  conditions: Condition[];
  lastAppliedRevision?: string;
  lastAppliedAt?: string;
  lastPlanSummary?: PlanSummary;
  /** Hash of the desired objects last applied: a non-empty plan against the same hash is drift. */
  desiredHash?: string;
  services?: ServiceHealth[];
  serviceCount?: number;
  /** The deploy hooks of the last desired revision and their state. */
  hooks?: HookStatus[];
  /** What docker stack deploy would ignore or warn about in the desired state (e.g. `build`). */
  warnings?: string[];
  /** The last image changes the image update policies made (newest last; plan/image-update.ts). */
  images?: ImageChange[];
}

/** One deploy hook of a stack's revision as status shows it. */
export interface HookStatus {
  phase: 'pre-deploy' | 'post-deploy';
  service: string;
  revision: string;
  state: 'pending' | 'running' | 'failed' | 'done';
  exitCode?: number;
}

export interface ReconcileOutcome {
  /** The deploy hooks of the desired revision (absent: not known, the last ones are kept). */
  hooks?: HookStatus[];
  generation?: number;
  revision?: string;
  /** Hash of the desired objects, recorded when applied. */
  desiredHash?: string;
  /** Summary of the plan that was applied (or only computed, in detect mode). */
  plan?: PlanSummary;
  applied: boolean;
  error?: SwarmkeeperError;
  blocked?: BlockedChange[];
  services?: ServiceHealth[];
  /** Drift found and not corrected (driftPolicy: detect). */
  drift?: FieldChange[];
  /** Services whose rollout is still in progress (not an error). */
  progressing?: string[];
  /** The stack's networks the Swarm has not allocated yet (their tasks wait; outcome-parts.ts). */
  unallocatedNetworks?: string[];
  /** Warnings of the desired state (docker stack deploy's "Ignoring unsupported options", ...). */
  warnings?: string[];
  /** Image changes the image update policies made in this reconcile's apply. */
  images?: ImageChange[];
}

/** Why tasks may be pending: the networks the Swarm has not allocated (named in the Ready message). */
function unallocatedNote(networks: readonly string[] | undefined): string {
  if (!networks?.length) return '';
  const [one, verb] = networks.length === 1 ? ['network', 'is'] : ['networks', 'are'];
  return (
    `; ${one} ${networks.join(', ')} ${verb} not allocated by the Swarm yet (its tasks wait for it; ` +
    'a subnet that overlaps another network keeps it so)'
  );
}

const FAILED_UPDATE_STATES = new Set(['paused', 'rollback_started', 'rollback_paused', 'rollback_completed']);

function readiness(o: ReconcileOutcome): {
  ready: ConditionInput;
  reconciling: boolean;
  stalled?: ConditionInput;
} {
  const gen = o.generation === undefined ? {} : { observedGeneration: o.generation };
  if (o.error) {
    const terminal = o.error.policy === 'terminal';
    const ready = {
      type: 'Ready',
      status: 'False',
      reason: o.error.reason,
      message: o.error.message,
      ...gen,
    } as const;
    return terminal
      ? { ready, reconciling: false, stalled: { ...ready, type: 'Stalled', status: 'True' } }
      : { ready, reconciling: true };
  }
  if (o.blocked && o.blocked.length > 0) {
    const first = o.blocked[0]!;
    const message = o.blocked.map((b) => b.message).join('; ');
    const reason = first.code === 'SK_ERR_OWNERSHIP_CONFLICT' ? 'OwnershipConflict' : 'RecreateBlocked';
    const ready = { type: 'Ready', status: 'False', reason, message, ...gen } as const;
    return { ready, reconciling: false, stalled: { ...ready, type: 'Stalled', status: 'True' } };
  }
  const failed = (o.services ?? []).filter((s) => s.updateState && FAILED_UPDATE_STATES.has(s.updateState));
  if (failed.length > 0) {
    const message = failed
      .map(
        (s) => `service ${s.name}: update ${s.updateState}${s.updateMessage ? `: ${s.updateMessage}` : ''}`,
      )
      .join('; ');
    const rolledBack = failed.some((s) => s.updateState?.startsWith('rollback'));
    return {
      ready: {
        type: 'Ready',
        status: 'False',
        reason: rolledBack ? 'RolledBack' : 'RolloutPaused',
        message,
        ...gen,
      },
      reconciling: false,
    };
  }
  const progressing = o.progressing ?? [];
  if (progressing.length > 0) {
    return {
      ready: {
        type: 'Ready',
        status: 'False',
        reason: 'Progressing',
        message: `waiting for ${progressing.join(', ')} to converge${unallocatedNote(o.unallocatedNetworks)}`,
        ...gen,
      },
      reconciling: true,
    };
  }
  const n = o.services?.length;
  const message = !n ? 'applied and in sync' : `${n} service${n === 1 ? '' : 's'} converged`;
  return {
    ready: { type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message, ...gen },
    reconciling: false,
  };
}

/** Computes the next status from the previous one and what the reconcile found. Pure. */
export function nextStatus(prev: ResourceStatus | undefined, o: ReconcileOutcome, now: Date): ResourceStatus {
  let conditions = prev?.conditions ?? [];
  const gen = o.generation === undefined ? {} : { observedGeneration: o.generation };
  const r = readiness(o);
  conditions = setCondition(conditions, r.ready, now);
  conditions = setCondition(
    conditions,
    r.reconciling
      ? { type: 'Reconciling', status: 'True', reason: r.ready.reason, message: r.ready.message, ...gen }
      : { type: 'Reconciling', status: 'False', reason: 'Idle', message: '', ...gen },
    now,
  );
  conditions = setCondition(
    conditions,
    r.stalled ?? { type: 'Stalled', status: 'False', reason: 'NotStalled', message: '', ...gen },
    now,
  );
  const drift = o.drift ?? [];
  conditions = setCondition(
    conditions,
    drift.length > 0
      ? {
          type: 'Drifted',
          status: 'True',
          reason: 'DriftDetected',
          message: `out-of-band changes: ${drift.map((c) => c.path).join(', ')}`,
          ...gen,
        }
      : { type: 'Drifted', status: 'False', reason: 'InSync', message: '', ...gen },
    now,
  );
  const status: ResourceStatus = { ...prev, conditions };
  if (o.generation !== undefined && !o.error) status.observedGeneration = o.generation;
  else if (o.generation !== undefined && o.error?.policy === 'terminal')
    status.observedGeneration = o.generation;
  if (o.plan) status.lastPlanSummary = o.plan;
  if (o.applied && o.desiredHash !== undefined) status.desiredHash = o.desiredHash;
  if (o.applied && o.revision !== undefined) {
    if (prev?.lastAppliedRevision !== o.revision) status.lastAppliedAt = now.toISOString();
    status.lastAppliedRevision = o.revision;
  }
  if (o.hooks) {
    if (o.hooks.length > 0) status.hooks = o.hooks;
    else delete status.hooks;
  }
  if (o.services) {
    status.services = o.services;
    status.serviceCount = o.services.length;
  }
  // Known only when the desired state was computed; an error before that keeps the last ones.
  if (o.warnings?.length) status.warnings = o.warnings;
  else if (o.plan || o.applied) delete status.warnings;
  if (o.images?.length) status.images = keptChanges(prev?.images, o.images);
  return status;
}

/** A service has converged when its rollout is not in progress and every desired task runs. */
/** `2/3` running of desired; for a job `1/1 completed` (a finished job runs nothing). */
export function replicasText(h: ServiceHealth): string {
  return h.mode === 'job'
    ? `${h.completedReplicas ?? 0}/${h.desiredReplicas} completed`
    : `${h.runningReplicas}/${h.desiredReplicas}`;
}

export function isConverged(h: ServiceHealth): boolean {
  if (h.updateState === 'updating' || h.updateState === 'rollback_started') return false;
  if (h.mode === 'job') return (h.completedReplicas ?? 0) >= h.desiredReplicas;
  return h.runningReplicas >= h.desiredReplicas;
}

/**
 * The status written when a reconcile of a new generation starts (Flux's "reconciliation in
 * progress"): Reconciling=True and Ready=Unknown for that generation; the status's own
 * observedGeneration moves only when the reconcile ends. Pure.
 */
export function startedStatus(
  prev: ResourceStatus | undefined,
  generation: number,
  now: Date,
): ResourceStatus {
  const message = `reconciling generation ${generation}`;
  let conditions = prev?.conditions ?? [];
  conditions = setCondition(
    conditions,
    { type: 'Reconciling', status: 'True', reason: 'Progressing', message, observedGeneration: generation },
    now,
  );
  conditions = setCondition(
    conditions,
    { type: 'Ready', status: 'Unknown', reason: 'Progressing', message, observedGeneration: generation },
    now,
  );
  return { ...prev, conditions };
}
