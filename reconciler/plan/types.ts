import type { ImageResolutions } from './image-pin.js';
import type { DesiredObject, ObjectKind } from '../model/objects.js';

/** One field-level difference. Paths use dots and [i], e.g. `TaskTemplate.ContainerSpec.Env[2]`. */
export interface FieldChange {
  path: string;
  /** Observed value (absent when the field is added). Sensitive values are redacted. */
  from?: unknown;
  /** Desired value (absent when the field is removed). */
  to?: unknown;
}

export interface CreateAction {
  op: 'create';
  kind: ObjectKind;
  name: string;
  desired: DesiredObject;
}

export interface UpdateAction {
  op: 'update';
  /** Services; configs and secrets only to take ownership (their labels are all the Engine updates). */
  kind: 'service' | 'config' | 'secret';
  name: string;
  id: string;
  /** Version read at observe time; the adapter re-reads on `update out of sequence`. */
  version: number | undefined;
  desired: DesiredObject;
  changes: FieldChange[];
  /** True when only object labels change: the update restarts no task. */
  labelsOnly: boolean;
  /** Set when the update takes ownership of an unowned `docker stack deploy` object. */
  adopt?: boolean;
}

export interface RemoveAction {
  op: 'remove';
  kind: ObjectKind;
  name: string;
  id: string;
  /** Why: `pruned` (no longer desired) or `retired` (an old config/secret version past retention). */
  why: 'pruned' | 'retired';
}

export interface RecreateAction {
  op: 'recreate';
  /** A service only to switch its mode (replicated, global, jobs), which Swarm cannot update. */
  kind: 'network' | 'volume' | 'service';
  name: string;
  id: string;
  desired: DesiredObject;
  changes: FieldChange[];
  /** Services that are detached and re-attached (their tasks restart). */
  affectedServices: string[];
}

export type Action = CreateAction | UpdateAction | RemoveAction | RecreateAction;

/** A change the planner found but will not make, and why. */
export interface BlockedChange {
  kind: ObjectKind;
  name: string;
  code: string;
  message: string;
  changes?: FieldChange[];
  affectedServices?: string[];
}

export interface Plan {
  /** `kind/namespace/name` of the resource this plan is for. */
  owner: string;
  actions: Action[];
  blocked: BlockedChange[];
  /** The deploy hooks of the desired revision and what each does (plan/hooks.ts); absent: none. */
  hooks?: HookStep[];
}

/** Settings of one planning run. */
export interface PlanOptions {
  /** This swarmkeeper instance (the `swarmkeeper.io/instance` label). */
  instanceId: string;
  /** Remove owned objects that are no longer desired. */
  prune: boolean;
  /** Take ownership of unowned objects with the desired name and the same stack namespace label. */
  adopt: boolean;
  /** Whether immutable objects (networks, volumes) may be removed and created again to change them. */
  recreatePolicy: 'Never' | 'Always';
  /** Old versions of hashed configs/secrets kept per logical name (default 2). */
  configRetention: number;
  /** Service field paths whose differences are ignored (`Mode.Replicated.Replicas`, `[*]`, prefix match). */
  ignore: string[];
  /**
   * Digests the controller resolved for this run, by desired image (image-pin.ts). Absent: no
   * resolution; an observed pin of the desired tag is still kept.
   */
  images?: ImageResolutions;
  /**
   * Where the stamped form of a desired object (ownership labels, spec hash) may be kept between
   * plans, by the object: a caller whose desired objects are frozen and reused (the controller's
   * desired-state cache) gives one, so a no-op plan does not hash every service spec again.
   */
  stamps?: StampMemo;
  /**
   * Where a service found unchanged may be remembered between plans, by its stamped (frozen) desired
   * object: a later plan that meets the same observed service (id and version: Swarm bumps the
   * version on every change of its spec), ownership, image resolution and ignore paths knows the
   * field comparison would find nothing again, and skips it. The caller's desired-state cache gives one.
   */
  unchanged?: UnchangedMemo;
}

/** What a stamped desired service was last found equal to, by the object (a WeakMap fits). */
export interface UnchangedMemo {
  get(obj: DesiredObject): string | undefined;
  set(obj: DesiredObject, by: string): void;
}

/** Stamped desired objects by the object they were stamped from (a WeakMap fits). */
export interface StampMemo {
  get(obj: DesiredObject): { by: string; stamped: DesiredObject } | undefined;
  set(obj: DesiredObject, entry: { by: string; stamped: DesiredObject }): void;
}

export const DEFAULT_PLAN_OPTIONS: Omit<PlanOptions, 'instanceId'> = {
  prune: true,
  adopt: false,
  recreatePolicy: 'Never',
  configRetention: 2,
  ignore: [],
};

export interface PlanSummary {
  create: number;
  update: number;
  remove: number;
  recreate: number;
  blocked: number;
}

export function summarize(p: Plan): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, remove: 0, recreate: 0, blocked: p.blocked.length };
  for (const a of p.actions) s[a.op] += 1;
  return s;
}

/** What Docker shows of a hook service's last run (controllers/docker/hook-runs.ts). */
export interface HookRun {
  /** The revision label of the observed service. */
  revision?: string;
  state: 'complete' | 'running' | 'failed';
  exitCode?: number;
  /** The failed task's error, e.g. `task: non-zero exit (3)`. */
  message?: string;
  /** The last lines of the job's output (bounded, without control characters). */
  logs?: string[];
}

/**
 * One hook of the desired revision: `pending` (it has not run for this revision: it would run),
 * `running`, `failed` or `done`.
 */
export interface HookStep {
  phase: 'pre-deploy' | 'post-deploy';
  service: string;
  revision: string;
  state: 'pending' | 'running' | 'failed' | 'done';
  exitCode?: number;
  message?: string;
  logs?: string[];
}
