/**
 * The contracts of the controller, in one place: what adapters (docker/, kube/, sources/, Redis
 * stores) implement and what the runtime (runtime/) and the kinds (stack/, network/, machine
 * kinds) consume. Adapters import their contracts from here, never from runtime/ or cli/.
 * Types only (plus two null objects): importing this module runs nothing.
 */
import type { Logger } from 'pino';
import type { SwarmkeeperError } from '../reconciler/errors.js';
import type { HookRun } from '../reconciler/plan/hooks.js';
import type { SwarmPort as PlannerSwarmPort } from '../reconciler/ports.js';
import type { DesiredResource } from '../reconciler/source/resource.js';
import type { ResourceStatus, ServiceHealth } from '../reconciler/status/resource-status.js';

export type {
  ActionResult,
  ApplyProgress,
  ImageResolver,
  ObserveQuery,
  ResolvedImage,
} from '../reconciler/ports.js';
export type { PlannerSwarmPort };

// ---------------------------------------------------------------------------------------------
// Registries

/**
 * The tags of an image repository, through the registry's v2 API (`GET /v2/<name>/tags/list`) with
 * the credentials service writes send (image update policy semver; reconciler/plan/image-update.ts).
 */
export interface RegistryTags {
  /**
   * The tags of `repository` (with its domain, `reg:5000/team/app`, `docker.io/library/nginx`).
   * Rejects with SK_ERR_REGISTRY_UNREACHABLE when the registry cannot be read (never its credentials).
   */
  listTags(repository: string, signal?: AbortSignal): Promise<string[]>;
}

// ---------------------------------------------------------------------------------------------
// Image write-back

/** One image change to commit: the compose service, the image written at the revision, the new one. */
export interface ImageWrite {
  /** The compose service name (without the stack prefix). */
  service: string;
  /** The image the compose file sets now (the revision reconciled). */
  from: string;
  /** The image to write: the new tag (semver) or `tag@digest` (digest). */
  to: string;
}

export interface ImageWriteResult {
  /** The commit pushed; absent when there was nothing to commit. */
  commit?: string;
  written: ImageWrite[];
  /** Changes not written, with why (an alias, an interpolated image, git moved on). */
  skipped: string[];
}

/**
 * The repository of a git source configured for write-back (writeBackBranch=): commits the image
 * update policies' changes to the compose files and pushes them to that branch only.
 */
export interface ImageWriteBack {
  /**
   * `files`: the stack's compose files in overlay order, relative to the source's root. Rejects
   * (a message without credentials) when git fails or the branch keeps moving.
   */
  write(stack: string, files: readonly string[], writes: readonly ImageWrite[]): Promise<ImageWriteResult>;
}

// ---------------------------------------------------------------------------------------------
// The Swarm

/** Which services' health to read: those this instance owns, or only one resource's. */
export interface HealthQuery {
  instanceId: string;
  /** One resource (`kind/namespace/name`); all owners when absent. */
  owner?: string;
  /** Its services are all under these name prefixes: listed by name, not by label (ObserveQuery.namePrefixes). */
  namePrefixes?: string[];
}

/** The Swarm as the controller sees it: the planner's port plus the health of owned services. */
export interface SwarmPort extends PlannerSwarmPort {
  /** Health of the services `query` selects, by owner key, sorted by name (one list call). */
  health(query: HealthQuery): Promise<Map<string, ServiceHealth[]>>;
  /**
   * The runs of deploy hook job services (by id), by service name: their revision label and the
   * state of their current job iteration (reconciler/plan/hooks.ts). Absent: hooks are not observed
   * (every hook of a revision counts as not yet run).
   */
  hookRuns?(serviceIds: readonly string[]): Promise<Map<string, HookRun>>;
}

/** A Docker event (the events stream of a manager). */
export interface SwarmEvent {
  type: string;
  action: string;
  id: string;
  name?: string;
  attributes: Record<string, string>;
  time?: number;
}

// ---------------------------------------------------------------------------------------------
// Sources of desired state

export interface SourceSnapshot {
  source: string;
  root: string;
  /** Where the root's files live on the Swarm nodes (the source's bindRoot option), if set. */
  bindRoot?: string;
  revision: string;
  resources: DesiredResource[];
  errors: SwarmkeeperError[];
  /** Files that failed to parse: the resources they held before are kept as they were. */
  failedFiles?: string[];
  /**
   * By resource key: a digest of the files the resource reads beyond its own document (env files,
   * configs, included compose files). A resource is changed when it or this digest changed; the
   * revision alone (another file of the source changed) is not a change.
   */
  inputs?: ReadonlyMap<string, string>;
}

/**
 * A source of desired state: a directory, a git repository or the Kubernetes API.
 * It emits a full snapshot whenever its content may have changed; the controller diffs
 * snapshots, so a source never has to compute what changed.
 */
export interface Source {
  readonly name: string;
  start(emit: (snapshot: SourceSnapshot) => void): Promise<void>;
  /** Re-read now (webhook, `swarmkeeper sync`). */
  sync(): Promise<void>;
  stop(): Promise<void>;
  /**
   * A key the controller holds no desired state for (a replica that runs no informer, see
   * KubeSource): its resource as the source has it now, null when it is really gone, undefined
   * when the key is not this source's. Throws when the source cannot tell (API down).
   */
  lookup?(key: string): Promise<DesiredResource | null | undefined>;
  /**
   * Every resource of the source now, when its snapshot may not hold them all (a follower's
   * KubeSource lists them): for the periodic resync and the kind reconcilers' view of other kinds.
   * The same array while the list holds (callers rebuild their views only on a new one).
   */
  resources?(): Promise<readonly DesiredResource[]>;
  /** Commits image changes back to the source (a git source with writeBackBranch=); absent: off. */
  readonly writeBack?: ImageWriteBack | undefined;
}

/**
 * SecretResolver: where the values behind `secretRef`/`secretKeyRef` fields come from (stack
 * secrets, volume preset credentials, node TLS material). The value never goes into logs, status,
 * events or error messages: errors name the Secret and the key only.
 */
export interface SecretResolver {
  /** The bytes of `key` in Secret `name` of `namespace`; throws a SwarmkeeperError otherwise. */
  get(namespace: string, name: string, key: string): Promise<Buffer>;
  /** All keys of Secret `name` (TLS material: ca.crt, tls.crt, tls.key). */
  getAll?(namespace: string, name: string): Promise<Record<string, Buffer>>;
}

// ---------------------------------------------------------------------------------------------
// State kept beside the Swarm (Redis, or the Kubernetes API)

/** Where a resource's status is written: Redis for directory/git sources, the status subresource for CRs. */
export interface StatusStore {
  get(key: string): Promise<ResourceStatus | undefined>;
  /** Writes only when something other than timestamps changed; returns whether it wrote. */
  put(key: string, status: ResourceStatus): Promise<boolean>;
  list(): Promise<Map<string, ResourceStatus>>;
  delete(key: string): Promise<void>;
}

/** Swarm object name -> the resource key that wants it, shared by every replica (runtime/owner-index.ts). */
export interface OwnerIndex {
  /** The names `key` desires now (a reconcile's desired objects). */
  record(key: string, names: readonly string[]): Promise<void>;
  /** `key` was pruned: its names no longer map to it. */
  forget(key: string): Promise<void>;
  /** The key whose resource desires an object of this name, if any. */
  lookup(name: string): Promise<string | undefined>;
}

/** An object a resource would manage that another owner holds (SK_ERR_OWNERSHIP_CONFLICT). */
export interface OwnershipConflict {
  /** The object, e.g. `service web_app`. */
  object: string;
  message: string;
}

/** The ownership conflicts every replica sees (makes /readyz fail). */
export interface ConflictStore {
  /** Records what one reconcile of `key` found (an empty list clears the key). */
  update(key: string, conflicts: OwnershipConflict[]): Promise<void>;
  /** Every conflict, by resource key and object. */
  list(): Promise<{ key: string; object: string }[]>;
}

/**
 * Keys finalized with deletionPolicy Orphan: their objects stay when the key leaves the store.
 * Shared by the replicas, so the one that handles the key's removal knows it too, even after a restart.
 */
export interface OrphanMarks {
  mark(key: string): Promise<void>;
  /** Forgets the mark; true when there was one. */
  clear(key: string): Promise<boolean>;
}

/** A leader election (the Docker events stream follows it). */
export interface Lease {
  readonly isLeader: boolean;
  start(): void;
  /** Stops renewing and releases the lease if held. */
  stop(): Promise<void>;
}

/** Hooks of resources deleted through finalizers instead of disappearing from their source. */
export interface ResourceLifecycle {
  /** Sources whose deletions are explicit: exempt from the empty-source guard. */
  readonly sources: readonly string[];
  /** Before a resource is applied (adds the finalizer); may throw a terminal error for the status. */
  beforeApply(res: DesiredResource): Promise<void>;
  /** The deletion policy of a resource being deleted; undefined when it is not being deleted. */
  deletion(res: DesiredResource): 'Delete' | 'Orphan' | undefined;
  /** Its owned objects are removed (or left): release the resource (remove the finalizer). */
  finalized(res: DesiredResource): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Events about resources

/**
 * What the controller tells about a resource (created, updated, removed, failed), e.g. as
 * Kubernetes Events (events.k8s.io/v1). Messages never contain secret values.
 */
export interface ResourceEvent {
  /** `kind/namespace/name`. */
  key: string;
  type: 'Normal' | 'Warning';
  /** CamelCase reason, e.g. Applied, Pruned, ReconcileFailed. */
  reason: string;
  /** What happened: Reconcile, Delete, ... (events.k8s.io `action`). */
  action: string;
  note: string;
}

/** Implementations rate-limit and never throw. */
export interface EventRecorder {
  record(e: ResourceEvent): void;
}

export const noEvents: EventRecorder = { record: () => undefined };

// ---------------------------------------------------------------------------------------------
// Kinds

/** A status with the kind's own fields (phase, progress, nodes, ...) beside the common ones. */
export type KindStatus = ResourceStatus & Record<string, unknown>;

/** What the reconcile loop gives a kind for one reconcile of one key. */
export interface KindReconcileContext {
  signal: AbortSignal;
  /** The queue's id of this attempt; `log` carries it. */
  reconcileId: string;
  prev: KindStatus | undefined;
  log: Logger;
  /** Root of the source the resource came from. */
  root: string;
  /** Where that root's files live on the Swarm nodes (the source's bindRoot), if set. */
  bindRoot?: string;
  /** `resync`: the periodic resync enqueued the key (a pass-wide snapshot may be read). */
  via?: 'resync';
  /** Writes an intermediate status (progress of a long operation); the final one is returned. */
  progress(status: KindStatus): Promise<void>;
  /** The other resources the controller knows (e.g. SwarmNode specs for node endpoints). */
  resources(kind: string): DesiredResource[];
}

/** What the loop does with a reconcile's result besides writing its status (planned kinds fill these). */
export interface KindEffects {
  /**
   * The Events to record. Absent: a Warning `Reconcile` Event for `error`, if any.
   */
  events?: ResourceEvent[];
  /** The ownership conflicts found. Absent: derived from `error` (none on success). */
  conflicts?: OwnershipConflict[];
  /** The Swarm object names the resource wants (the owner index maps events through them). */
  desiredNames?: string[];
  /** It may have written the Swarm: resync snapshots taken before are stale. */
  wroteSwarm?: boolean;
  /** The applied-revision and drift metrics of a planned kind. */
  applied?: { revision: string | undefined; driftDetected: boolean; driftCorrected: boolean };
}

export interface KindReconcileResult extends KindEffects {
  status: KindStatus;
  /** Thrown by the loop after the status is written (its policy decides the retry). */
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

/**
 * One kind's reconciler: the planned kinds (SwarmStack, SwarmNetwork) and the kinds that run as
 * machines over the swarm's nodes (SwarmNode, SwarmPlugin, SwarmVolume, SwarmVolumeMigration).
 * The loop calls `reconcile` for a key of that kind and `remove` when the key left its source or
 * is being deleted with deletionPolicy Delete. Status is always returned, whatever step failed.
 */
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
   * loop invalidates them after each of its runs. Nodes, plugins and volumes do not.
   */
  writesServices?: boolean;
}

export type KindReconcilers = Partial<Record<string, KindReconciler>>;
