/**
 * The reconcile loop: one key at a time, in fixed steps (controller-runtime's Reconcile):
 *   lookup -> source conflict -> finalize (being deleted) or prune (gone) -> beforeApply ->
 *   gate on spec.dependsOn -> kinds[kind].reconcile().
 * Each step returns a Verdict; the status, the ownership conflicts, the owner index, the Events,
 * the metrics and the snapshot epoch are written ONCE, at the end (`commit`), whatever step
 * decided. Errors are thrown after that, so the queue applies their retry policy. A kind may still
 * write intermediate statuses through ctx.progress (progress of a long operation).
 */
import type { Logger } from 'pino';
import { skError, type SwarmkeeperError } from '../../reconciler/errors.js';
import { parseOwnerKey } from '../../reconciler/model/ownership.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import { isTrue } from '../../reconciler/status/conditions.js';
import { nextStatus, type ResourceStatus } from '../../reconciler/status/resource-status.js';
import type { Metrics } from '../observability/metrics.js';
import type {
  ConflictStore,
  EventRecorder,
  KindReconcileContext,
  KindReconcilers,
  KindStatus,
  OrphanMarks,
  OwnerIndex,
  PlannerSwarmPort,
  ResourceLifecycle,
  StatusStore,
} from '../ports.js';
import { dependents, waitingFor } from './depends-on.js';
import { type FinalizerDeps, finalize, prune } from './finalizer.js';
import type { ReconcileContext, ReconcileResult } from './queue/types.js';
import type { StoredResource } from './resource-store.js';
import type { Verdict } from './verdict.js';

/** What the loop reads of desired state (runtime/desired-state.ts). */
export interface DesiredLookup {
  get(key: string): StoredResource | undefined;
  conflict(key: string): SwarmkeeperError | undefined;
  /** A key no snapshot holds: a source that reads its API on demand may still have it. */
  lookup(key: string): Promise<StoredResource | undefined>;
  pendingSources(): string[];
  keys(): string[];
  /** The store's resources (dependents are looked for in them); one array per store version. */
  resources(): readonly DesiredResource[];
  /**
   * Every resource, with what sources list beyond their snapshots (the kinds' views); one array
   * while neither the store nor a source's list changed.
   */
  allResources(): Promise<readonly DesiredResource[]>;
  /** True when a source lists resources beyond its snapshot: allResources() must ask it. */
  listsOnDemand(): boolean;
}

export type LoopMetrics = Pick<
  Metrics,
  | 'reconcileTotal'
  | 'reconcileErrors'
  | 'reconcileDuration'
  | 'resourceReady'
  | 'appliedRevision'
  | 'driftDetected'
  | 'driftCorrections'
>;

export interface ReconcileLoopDeps {
  desired: DesiredLookup;
  kinds: KindReconcilers;
  statuses: StatusStore;
  owners: OwnerIndex;
  conflicts: Pick<ConflictStore, 'update'>;
  marks: OrphanMarks;
  /** The Swarm the finalizer prunes owned objects from. */
  swarm: PlannerSwarmPort;
  instanceId: string;
  metrics: LoopMetrics;
  /** The snapshot epoch: bumped when the Swarm may have changed (resync snapshots are stale). */
  epoch: { bump(): Promise<void> };
  /** Enqueues a key (dependents of a resource that became Ready). */
  enqueue(key: string): Promise<void>;
  logger: Logger;
  lifecycle?: ResourceLifecycle;
  recorder?: EventRecorder;
}

export class ReconcileLoop {
  readonly #d: ReconcileLoopDeps;
  readonly #revisions = new Map<string, string>();

  constructor(deps: ReconcileLoopDeps) {
    this.#d = deps;
  }

  /** One reconcile of one key; errors are thrown so the queue applies their retry policy. */
  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
    const d = this.#d;
    // A key no snapshot holds may still exist: a replica that runs no informer looks it up.
    const conflict = d.desired.conflict(key);
    const stored = d.desired.get(key) ?? (conflict ? undefined : await d.desired.lookup(key));
    const kind = parseOwnerKey(key)?.kind ?? 'Unknown';
    const started = process.hrtime.bigint();
    // A desired key is no orphan: its mark is cleared with the status read, in one round trip.
    const clearing = stored && !conflict ? d.marks.clear(key) : undefined;
    clearing?.catch(() => undefined); // awaited in #decide; a failed status read must not leave it unhandled
    const prev = await d.statuses.get(key);
    const log = d.logger.child({ kind, key, reconcileId: ctx.reconcileId });
    try {
      const v = await this.#decide(key, kind, stored, prev, ctx, log, clearing);
      return await this.#commit(key, kind, prev, v);
    } catch (e) {
      d.metrics.reconcileTotal.inc({ kind, result: 'error' });
      d.metrics.reconcileErrors.inc({ kind, code: (e as { code?: string }).code ?? 'SK_ERR_INTERNAL' });
      throw e;
    } finally {
      d.metrics.reconcileDuration.observe({ kind }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  async #decide(
    key: string,
    kind: string,
    stored: StoredResource | undefined,
    prev: ResourceStatus | undefined,
    ctx: ReconcileContext,
    log: Logger,
    clearing: Promise<boolean> | undefined,
  ): Promise<Verdict> {
    const d = this.#d;
    const conflict = d.desired.conflict(key);
    if (conflict)
      return { status: nextStatus(prev, { applied: false, error: conflict }, new Date()), error: conflict };
    const fin = this.#finalizerDeps(ctx, log);
    if (!stored) {
      // A source that has not loaded yet (a git server down at start-up) is not a source that
      // dropped the key: pruning now would delete what it still wants.
      const pending = d.desired.pendingSources();
      if (pending.length > 0)
        return {
          error: skError(
            'DEPENDENCY_NOT_READY',
            `not pruning ${key}: ${pending.join(', ')} has not loaded yet`,
            {
              requeueAfterMs: 5000,
            },
          ),
        };
      return prune(fin, key, log, { deleting: false });
    }
    await clearing;
    const res = stored.resource;
    const generation = res.generation !== undefined ? { generation: res.generation } : {};
    const lifecycle = d.lifecycle;
    const deleting = lifecycle?.deletion(res);
    if (lifecycle && deleting) return finalize(fin, key, stored, deleting, lifecycle, log);
    try {
      await lifecycle?.beforeApply(res);
    } catch (error) {
      const e = error as { policy?: string; reason: string; message: string };
      if (e.policy !== 'terminal') return { error };
      return {
        status: nextStatus(prev, { applied: false, error: error as never, ...generation }, new Date()),
        events: [{ key, type: 'Warning', reason: e.reason, action: 'Reconcile', note: e.message }],
        error,
      };
    }
    // The status says what the resource waits for (status is written whatever step fails).
    const waiting = await waitingFor(res, d.statuses);
    if (waiting)
      return {
        status: nextStatus(prev, { applied: false, error: waiting, ...generation }, new Date()),
        error: waiting,
      };
    const reconciler = d.kinds[kind];
    if (!reconciler) return { error: skError('RESOURCE_INVALID', `${key}: no reconciler for kind ${kind}`) };
    const r = await reconciler.reconcile(
      res,
      await this.#kindContext(key, ctx, prev as KindStatus, log, stored),
    );
    const e = r.error;
    return {
      ...r,
      kindRan: true,
      wroteSwarm: r.wroteSwarm ?? reconciler.writesServices === true,
      // the default of a kind that does not report its conflicts: the key itself, from its error
      conflicts:
        r.conflicts ??
        (e?.code === 'SK_ERR_OWNERSHIP_CONFLICT'
          ? [{ object: key, message: e.message }]
          : e
            ? undefined
            : []),
      events:
        r.events ??
        (e ? [{ key, type: 'Warning', reason: e.reason, action: 'Reconcile', note: e.message }] : []),
    };
  }

  /** Writes everything the verdict says, once; then throws its error or returns its requeue. */
  async #commit(
    key: string,
    kind: string,
    prev: ResourceStatus | undefined,
    v: Verdict,
  ): Promise<ReconcileResult> {
    const d = this.#d;
    if (v.wroteSwarm) await d.epoch.bump(); // what snapshots hold changed
    // two independent records read (and written if changed) together; the status after them, as before
    await Promise.all([
      v.desiredNames && d.owners.record(key, v.desiredNames),
      v.conflicts && d.conflicts.update(key, v.conflicts),
    ]);
    if (v.status === null) await d.statuses.delete(key);
    else if (v.status) await d.statuses.put(key, v.status);
    if (v.forget) await d.owners.forget(key);
    const ready = v.status ? isTrue(v.status.conditions, 'Ready') : false;
    if (ready && !isTrue(prev?.conditions, 'Ready'))
      for (const k of dependents(key, d.desired.resources())) await d.enqueue(k);
    if (v.kindRan) d.metrics.resourceReady.set({ key, kind }, ready ? 1 : 0);
    if (v.applied) {
      this.#recordRevision(key, v.applied.revision);
      d.metrics.driftDetected.set({ key }, v.applied.driftDetected ? 1 : 0);
      if (v.applied.driftCorrected) d.metrics.driftCorrections.inc({ kind });
    }
    if (v.forget) this.#recordRevision(key, undefined);
    for (const e of v.events ?? []) d.recorder?.record(e);
    if (v.error !== undefined) throw v.error;
    if (v.release) await v.release(); // last: the Events above still found their object
    if (v.kindRan) d.metrics.reconcileTotal.inc({ kind, result: 'success' });
    return v.requeueAfterMs !== undefined ? { requeueAfterMs: v.requeueAfterMs } : undefined;
  }

  async #kindContext(
    key: string,
    ctx: ReconcileContext,
    prev: KindStatus | undefined,
    log: Logger,
    stored: { root: string; bindRoot?: string },
  ): Promise<KindReconcileContext> {
    const desired = this.#d.desired;
    // Only a source that lists on demand needs the (async) full list up front; otherwise the view
    // is built when a kind asks for it. Either way it is built once while nothing changed (see
    // DesiredState): a pass does not build the whole list once per key.
    let view = desired.listsOnDemand() ? await desired.allResources() : undefined;
    return {
      signal: ctx.signal,
      reconcileId: ctx.reconcileId,
      prev,
      log,
      root: stored.root,
      ...(stored.bindRoot === undefined ? {} : { bindRoot: stored.bindRoot }),
      ...(ctx.via ? { via: ctx.via } : {}),
      progress: async (status) => {
        await this.#d.statuses.put(key, status);
      },
      resources: (kind) => (view ??= desired.resources()).filter((r) => r.kind === kind),
    };
  }

  #finalizerDeps(ctx: ReconcileContext, log: Logger): FinalizerDeps {
    const d = this.#d;
    return {
      swarm: d.swarm,
      instanceId: d.instanceId,
      marks: d.marks,
      kinds: d.kinds,
      statuses: d.statuses,
      desiredKeys: () => d.desired.keys(),
      kindContext: (key, prev, root) => this.#kindContext(key, ctx, prev, log, { root }),
    };
  }

  /** One revision series per key: the old label set is removed when the revision changes. */
  #recordRevision(key: string, revision: string | undefined): void {
    const m = this.#d.metrics.appliedRevision;
    const old = this.#revisions.get(key);
    if (old === revision) return;
    if (old !== undefined) m.remove({ key, revision: old });
    if (revision === undefined) this.#revisions.delete(key);
    else {
      this.#revisions.set(key, revision);
      m.set({ key, revision }, 1);
    }
  }
}
