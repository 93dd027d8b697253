import { hostname } from 'node:os';
import type Docker from 'dockerode';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { type SwarmkeeperError, asSwarmkeeperError, skError } from '../../reconciler/errors.js';
import { parseOwnerKey } from '../../reconciler/model/ownership.js';
import { type Plan, summarize } from '../../reconciler/plan/types.js';
import type { ActionResult } from '../../reconciler/ports.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import { isTrue } from '../../reconciler/status/conditions.js';
import { nextStatus, startedStatus } from '../../reconciler/status/resource-status.js';
import type { Metrics } from '../observability/metrics.js';
import { warningsEvent } from '../stack/stack-events.js';
import type { StackSettings } from '../stack/stack-settings.js';
import { planOrphans } from './orphans.js';
import { reconcileResource } from '../stack/reconcile-resource.js';
import type { Source } from '../ports.js';
import { SNAPSHOT_EVENT_TYPES, takeSnapshot } from '../docker/swarm-snapshot.js';
import { DockerEventsWatcher } from './docker-events.js';
import { RedisLease } from './leader-lease.js';
import { RedisOwnerIndex } from './owner-index.js';
import { WorkQueue } from './queue/index.js';
import type { ReconcileContext, ReconcileResult } from './queue/types.js';
import { OwnershipConflicts } from './ownership-conflicts.js';
import { PruneGuard } from './prune-guard.js';
import { settlesWithin } from './shutdown.js';
import { ResourceStore, type StoredResource } from './resource-store.js';
import { RedisStatusStore } from './status-store.js';
import { SwarmViewCache } from './swarm-view-cache.js';
import type {
  EventRecorder,
  KindReconcileContext,
  KindReconcilers,
  KindStatus,
  OwnerIndex,
  OwnershipConflict,
  ResourceLifecycle,
  SecretResolver,
  SourceSnapshot,
  StatusStore,
  SwarmEvent,
  SwarmPort,
} from '../ports.js';

export interface ControllerOptions {
  docker: Docker;
  swarm: SwarmPort;
  redis: Redis;
  instanceId: string;
  sources: Source[];
  logger: Logger;
  metrics: Metrics;
  concurrency?: number;
  resyncIntervalMs?: number;
  backoff?: { baseMs?: number; maxMs?: number };
  rateLimit?: { max: number; durationMs: number };
  leaseTtlMs?: number;
  /** Requeue delay while a rollout is still progressing. */
  progressRequeueMs?: number;
  /** Empty-source guard: refuse to prune when a source drops more than this fraction of its resources. */
  maxPruneFraction?: number;
  allowEmpty?: boolean;
  /** Where statuses go (default: Redis); the Kubernetes source writes the status subresource. */
  statuses?: StatusStore;
  /** Finalizer-driven deletion for sources whose resources live in an API (Kubernetes). */
  lifecycle?: ResourceLifecycle;
  /** Kinds reconciled by their own reconciler (machines over the nodes) instead of the planner. */
  kindReconcilers?: KindReconcilers;
  /** Events about resources (Kubernetes Events with --kube). */
  recorder?: EventRecorder;
  /** Values of secret references (spec.secretRefs): Kubernetes Secrets with --kube, or --secrets-dir. */
  secrets?: SecretResolver;
  /** Object name -> resource key for the events leader (default: a hash in Redis, shared by replicas). */
  owners?: OwnerIndex;
  /** Process variables stacks may read (--allow-env), bounds (--limits) and stack policies. */
  stack?: StackSettings;
  /** The instance's key of secret names (loaded once, retried while it fails; secret-hash-key.ts). */
  secretHashKey: () => Promise<Uint8Array>;
}

/**
 * `swarmkeeper run`: sources feed a resource store; changed keys go to the work queue; workers
 * reconcile one key at a time (observe, plan, apply, status). The leader (a Redis lease) follows
 * the Docker events stream and maps events back to resources, so drift is put back within seconds.
 */
export class Controller {
  readonly store = new ResourceStore();
  readonly queue: WorkQueue;
  readonly statuses: StatusStore;
  readonly lease: RedisLease;
  readonly events: DockerEventsWatcher;
  /** Objects this instance would manage that another owner holds (makes /readyz fail). */
  readonly conflicts: OwnershipConflicts;
  readonly #guard: PruneGuard;
  /** Swarm object name -> owning resource key, shared by every replica (events map through it). */
  readonly #owners: OwnerIndex;
  readonly #revisions = new Map<string, string>();
  readonly #log: Logger;
  #sourcesReady = false;
  #snapshots: Promise<void> = Promise.resolve();
  /** Sources that produced at least one snapshot: until all have, nothing is pruned. */
  readonly #loaded = new Set<string>();
  /**
   * Keys finalized with deletionPolicy Orphan: their objects stay when the key leaves the store.
   * Kept in Redis, so the replica that handles the key's removal knows it too, even after a restart.
   */
  readonly #orphanedKey: string;
  /** The resync pass's shared snapshot of the Swarm, invalidated through a Redis epoch. */
  readonly #view: SwarmViewCache;

  constructor(private readonly opts: ControllerOptions) {
    this.#log = opts.logger;
    const prefix = `swarmkeeper:${opts.instanceId}`;
    this.#orphanedKey = `${prefix}:orphaned`;
    this.#owners = opts.owners ?? new RedisOwnerIndex(opts.redis, `${prefix}:owners`);
    this.statuses = opts.statuses ?? new RedisStatusStore(opts.redis, prefix);
    this.conflicts = new OwnershipConflicts(opts.redis, `${prefix}:ownership-conflicts`, opts.logger);
    this.#guard = new PruneGuard(opts.maxPruneFraction ?? 0.5, opts.allowEmpty ?? false);
    this.queue = new WorkQueue({
      connection: opts.redis,
      name: 'reconcile',
      prefix,
      concurrency: opts.concurrency ?? 4,
      reconcile: (key, ctx) => this.reconcile(key, ctx),
      ...(opts.backoff ? { backoff: opts.backoff } : {}),
      ...(opts.resyncIntervalMs ? { resyncIntervalMs: opts.resyncIntervalMs } : {}),
      ...(opts.rateLimit ? { rateLimit: opts.rateLimit } : {}),
      logger: opts.logger,
      hooks: {
        onTerminal: (key, err) =>
          this.#log.warn({ key, err: (err as Error).message }, 'terminal error: not retried'),
      },
    });
    this.#view = new SwarmViewCache({
      redis: opts.redis,
      epochKey: `${prefix}:swarm-epoch`,
      take: (epoch) => takeSnapshot(opts.docker, opts.instanceId, epoch),
      onResult: (result) => opts.metrics.swarmSnapshots.inc({ result }),
    });
    this.events = new DockerEventsWatcher(opts.docker, {
      logger: opts.logger,
      onEvent: (e) => this.#onEvent(e),
      onConnected: (reconnect) => {
        // events may have been missed: resync (the pass starts a new snapshot epoch)
        if (reconnect) this.#background('resync after reconnect', this.queue.resyncNow());
      },
    });
    this.lease = new RedisLease(opts.redis, {
      key: `${prefix}:leader:events`,
      holder: `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
      ttlMs: opts.leaseTtlMs ?? 15_000,
      logger: opts.logger,
      onAcquired: () => this.events.start(),
      onLost: () => this.events.stop(),
    });
  }

  get sourcesReady(): boolean {
    return this.#sourcesReady;
  }

  async start(): Promise<void> {
    for (const s of this.opts.sources)
      await s.start((snap) => {
        this.#loaded.add(s.name);
        // one snapshot at a time, in arrival order: a slow one must not land after a newer one
        this.#snapshots = this.#snapshots.catch(() => undefined).then(() => this.#onSnapshot(snap));
        this.#background('source snapshot', this.#snapshots);
      });
    // Every first snapshot must be in the store before a worker takes a job: a job left in Redis by
    // an earlier run would otherwise find its key missing and prune it.
    await this.#snapshots.catch(() => undefined);
    this.#sourcesReady = true;
    // Each resync pass starts a new epoch: it reads the Swarm afresh (once), in every replica.
    this.queue.registerResync(async () => {
      await this.#view.bump();
      return this.#resyncKeys();
    });
    await this.queue.start();
    // the start-up pass is a resync too: one fresh snapshot of the Swarm for all of it
    await this.#view.bump();
    for (const key of this.store.keys()) await this.queue.enqueue(key, { via: 'resync' });
    this.lease.start();
  }

  /**
   * Graceful and bounded, counted from the call: the events stream is dropped; the sources stop
   * (2 s at most) while the lease is released if Redis answers within a second; then the queue
   * closes, its active reconciles getting what is left of deadlineMs (see WorkQueue.close).
   * Nothing here waits on an unreachable Redis or Docker API.
   */
  async stop(deadlineMs = 30_000): Promise<void> {
    const t0 = Date.now();
    this.events.stop();
    const [sourcesStopped, leaseReleased] = await Promise.all([
      settlesWithin(Promise.all(this.opts.sources.map((s) => s.stop())), 2000),
      settlesWithin(this.lease.stop(), 1000),
    ]);
    if (!sourcesStopped) this.#log.warn('sources did not stop within 2 s');
    if (!leaseReleased)
      this.#log.warn('the leader lease could not be released (Redis unreachable); it lapses by its TTL');
    await this.queue.close(Math.max(0, deadlineMs - (Date.now() - t0)));
  }

  async #onSnapshot(snap: SourceSnapshot): Promise<void> {
    for (const e of snap.errors)
      this.#log.warn({ source: snap.source, code: e.code, err: e.message }, 'source problem');
    const prev = this.store.snapshots().find((s) => s.source === snap.source);
    const verdict = this.opts.lifecycle?.sources.includes(snap.source)
      ? { allowed: true, keep: snap.resources }
      : this.#guard.check(prev, snap);
    if (!verdict.allowed) {
      this.#log.error(
        { source: snap.source, reason: verdict.message },
        'prune blocked by the empty-source guard',
      );
      await this.statuses.put(
        `Source/${snap.source}`,
        nextStatus(undefined, { applied: false, error: verdict.error }, new Date()),
      );
      // Keep what was there; apply only additions and changes.
      snap = { ...snap, resources: verdict.keep };
    } else await this.statuses.delete(`Source/${snap.source}`);
    const change = this.store.update(snap);
    if (!this.#sourcesReady) return;
    for (const key of [...change.changed, ...change.removed]) await this.queue.enqueue(key);
  }

  /**
   * A key missing from the store: a source that reads its API on demand (the Kubernetes source of a
   * replica that does not run the informers) says whether it still exists. Only when none has it
   * is the key pruned; a source that cannot tell throws, and nothing is pruned on a guess.
   */
  async #lookup(key: string): Promise<StoredResource | undefined> {
    for (const s of this.opts.sources) {
      const resource = await s.lookup?.(key);
      if (resource)
        return { resource, root: this.store.snapshots().find((x) => x.source === s.name)?.root ?? '.' };
    }
    return undefined;
  }

  /**
   * Every desired resource: the store's, plus what a source lists when its snapshot may not hold
   * them all (the Kubernetes source of a replica that does not run the informers).
   */
  async #allResources(): Promise<DesiredResource[]> {
    const byKey = new Map<string, DesiredResource>();
    for (const k of this.store.keys()) {
      const r = this.store.get(k)?.resource;
      if (r) byKey.set(k, r);
    }
    for (const s of this.opts.sources)
      for (const r of (await s.resources?.()) ?? []) if (!byKey.has(r.key)) byKey.set(r.key, r);
    return [...byKey.values()];
  }

  /** Every key for the periodic resync (a source that cannot list now is logged and skipped). */
  async #resyncKeys(): Promise<string[]> {
    const keys = new Set(this.store.keys());
    for (const s of this.opts.sources) {
      if (!s.resources) continue;
      try {
        for (const r of await s.resources()) keys.add(r.key);
      } catch (e) {
        this.#log.warn({ source: s.name, err: (e as Error).message }, 'resync: listing the source failed');
      }
    }
    return [...keys].sort();
  }

  /** Work started from a callback: a failure (Redis down) is logged, never an unhandled rejection. */
  #background(what: string, p: Promise<unknown>): void {
    p.catch((e: unknown) => this.#log.error({ err: (e as Error).message }, `${what} failed`));
  }

  #onEvent(e: SwarmEvent): void {
    const kinds = Object.entries(this.opts.kindReconcilers ?? {}).filter(([, r]) => r?.wantsEvent?.(e));
    // A change to what snapshots hold: invalidate every replica's before anything is enqueued for it.
    const bumped = SNAPSHOT_EVENT_TYPES.has(e.type) ? this.#view.bump() : Promise.resolve();
    // The index in Redis knows every resource's objects, whichever replica reconciled them.
    const name = e.name;
    if (name)
      this.#background(
        'enqueue from event',
        bumped.then(async () => {
          const owner = await this.#owners.lookup(name);
          if (owner) await this.queue.enqueue(owner);
        }),
      );
    for (const [kind] of kinds)
      this.#background(
        'enqueue from event',
        bumped.then(() => this.#enqueueKind(kind)),
      );
    if (!name && kinds.length === 0) this.#background('swarm change', bumped);
  }

  async #enqueueKind(kind: string): Promise<void> {
    for (const key of await this.#resyncKeys()) if (key.startsWith(`${kind}/`)) await this.queue.enqueue(key);
  }

  #kindContext(
    key: string,
    ctx: ReconcileContext,
    prev: KindStatus | undefined,
    log: Logger,
    root: string,
    view: DesiredResource[],
  ): KindReconcileContext {
    return {
      signal: ctx.signal,
      reconcileId: ctx.reconcileId,
      prev,
      log,
      root,
      progress: async (status) => {
        await this.statuses.put(key, status);
      },
      resources: (kind) => view.filter((r) => r.kind === kind),
    };
  }

  /** One reconcile of one key; errors are thrown so the queue applies their retry policy. */
  async reconcile(key: string, ctx: ReconcileContext): Promise<ReconcileResult> {
    // A key no snapshot holds may still exist: a replica that runs no informer looks it up.
    const stored = this.store.get(key) ?? (this.store.conflict(key) ? undefined : await this.#lookup(key));
    const owner = parseOwnerKey(key);
    const kind = owner?.kind ?? 'Unknown';
    const started = process.hrtime.bigint();
    const prev = await this.statuses.get(key);
    const log = this.#log.child({ kind, key, reconcileId: ctx.reconcileId });
    try {
      const conflict = this.store.conflict(key);
      if (conflict) {
        await this.statuses.put(key, nextStatus(prev, { applied: false, error: conflict }, new Date()));
        throw conflict;
      }
      if (!stored) {
        // A source that has not loaded yet (a git server down at start-up) is not a source that
        // dropped the key: pruning now would delete what it still wants.
        const pending = this.opts.sources.filter((s) => !this.#loaded.has(s.name)).map((s) => s.name);
        if (pending.length > 0)
          throw skError(
            'DEPENDENCY_NOT_READY',
            `not pruning ${key}: ${pending.join(', ')} has not loaded yet`,
            {
              requeueAfterMs: 5000,
            },
          );
        return await this.#prune(key, log, false, { ctx });
      }
      await this.opts.redis.hdel(this.#orphanedKey, key);
      const lifecycle = this.opts.lifecycle;
      const deleting = lifecycle?.deletion(stored.resource);
      if (lifecycle && deleting)
        return await this.#finalize(key, stored.resource, deleting, lifecycle, log, ctx, stored.root);
      try {
        await lifecycle?.beforeApply(stored.resource);
      } catch (e) {
        const error = e as SwarmkeeperError;
        if (error.policy === 'terminal') {
          const gen = stored.resource.generation;
          const o = { applied: false, error, ...(gen !== undefined ? { generation: gen } : {}) };
          await this.statuses.put(key, nextStatus(prev, o, new Date()));
          this.opts.recorder?.record({
            key,
            type: 'Warning',
            reason: error.reason,
            action: 'Reconcile',
            note: error.message,
          });
        }
        throw e;
      }
      try {
        await this.#checkDependencies(stored.resource.spec, stored.resource.namespace);
      } catch (e) {
        // The status says what the resource waits for (status is written whatever step fails).
        const error = asSwarmkeeperError(e);
        const generation = stored.resource.generation;
        await this.statuses.put(
          key,
          nextStatus(
            prev,
            { applied: false, error, ...(generation !== undefined ? { generation } : {}) },
            new Date(),
          ),
        );
        throw error;
      }
      const custom = this.opts.kindReconcilers?.[stored.resource.kind];
      if (custom) {
        const r = await custom.reconcile(
          stored.resource,
          this.#kindContext(
            key,
            ctx,
            prev as KindStatus | undefined,
            log,
            stored.root,
            await this.#allResources(),
          ),
        );
        if (custom.writesServices) await this.#view.bump(); // what snapshots hold changed
        await this.statuses.put(key, r.status);
        const ready = isTrue(r.status.conditions, 'Ready');
        if (ready && !isTrue(prev?.conditions, 'Ready')) await this.#wakeDependents(key);
        this.opts.metrics.resourceReady.set({ key, kind }, ready ? 1 : 0);
        if (r.error?.code === 'SK_ERR_OWNERSHIP_CONFLICT')
          await this.conflicts.update(key, [{ object: key, message: r.error.message }]);
        else if (!r.error) await this.conflicts.update(key, []);
        if (r.error) {
          this.opts.recorder?.record({
            key,
            type: 'Warning',
            reason: r.error.reason,
            action: 'Reconcile',
            note: r.error.message,
          });
          throw r.error;
        }
        this.opts.metrics.reconcileTotal.inc({ kind, result: 'success' });
        return r.requeueAfterMs !== undefined ? { requeueAfterMs: r.requeueAfterMs } : undefined;
      }
      // A new generation: say so before the (possibly long) apply, so the status shows
      // Reconciling=True for it even when the apply converges at once.
      const gen = stored.resource.generation;
      const reconciling = prev?.conditions.find((c) => c.type === 'Reconciling');
      let prevForReconcile = prev;
      if (
        gen !== undefined &&
        prev?.observedGeneration !== gen &&
        !(reconciling?.status === 'True' && reconciling.observedGeneration === gen)
      ) {
        prevForReconcile = startedStatus(prev, gen, new Date());
        await this.statuses.put(key, prevForReconcile);
      }
      // A resync run reads the pass-wide snapshot (0 Docker calls when converged); others observe.
      const view = ctx.via === 'resync' ? await this.#view.get() : undefined;
      const r = await reconcileResource(
        stored.resource,
        { mode: 'apply', signal: ctx.signal },
        {
          swarm: this.opts.swarm,
          instanceId: this.opts.instanceId,
          secretHashKey: await this.opts.secretHashKey(),
          root: stored.root,
          ...(stored.bindRoot === undefined ? {} : { bindRoot: stored.bindRoot }),
          logger: this.#log,
          ...(view ? { view } : {}),
          ...(this.opts.secrets ? { secrets: this.opts.secrets } : {}),
          ...(this.opts.stack ? { stack: this.opts.stack } : {}),
        },
        prevForReconcile,
      );
      // it may have written (even when the apply failed or was aborted half-way)
      if (r.plan && r.plan.actions.length > 0) await this.#view.bump();
      await this.#owners.record(key, r.desiredNames);
      if (r.plan) await this.conflicts.update(key, planConflicts(r.plan));
      await this.statuses.put(key, r.status);
      if (isTrue(r.status.conditions, 'Ready') && !isTrue(prev?.conditions, 'Ready'))
        await this.#wakeDependents(key);
      this.opts.metrics.resourceReady.set({ key, kind }, isTrue(r.status.conditions, 'Ready') ? 1 : 0);
      this.#recordRevision(key, r.status.lastAppliedRevision);
      this.opts.metrics.driftDetected.set({ key }, r.outcome.drift && r.outcome.drift.length > 0 ? 1 : 0);
      if (r.drift && r.results) this.opts.metrics.driftCorrections.inc({ kind });
      this.#recordOutcome(key, r.plan, r.results, r.error, r.drift);
      const warned = warningsEvent(key, prev?.warnings, r.warnings);
      if (warned) this.opts.recorder?.record(warned);
      if (r.error) throw r.error;
      this.opts.metrics.reconcileTotal.inc({ kind, result: 'success' });
      if (r.outcome.progressing && r.outcome.progressing.length > 0)
        return { requeueAfterMs: this.opts.progressRequeueMs ?? 2000 };
      return undefined;
    } catch (e) {
      const err = e as SwarmkeeperError;
      this.opts.metrics.reconcileTotal.inc({ kind, result: 'error' });
      this.opts.metrics.reconcileErrors.inc({ kind, code: err.code ?? 'SK_ERR_INTERNAL' });
      throw e;
    } finally {
      this.opts.metrics.reconcileDuration.observe({ kind }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  /** Tells what a reconcile did (Kubernetes Events with --kube): created, updated, removed, failed. */
  #recordOutcome(
    key: string,
    plan: Plan | undefined,
    results: ActionResult[] | undefined,
    error: SwarmkeeperError | undefined,
    drift: boolean,
  ): void {
    const rec = this.opts.recorder;
    if (!rec) return;
    if (error) {
      rec.record({ key, type: 'Warning', reason: error.reason, action: 'Reconcile', note: error.message });
      return;
    }
    if (!plan || !results || results.length === 0) return;
    const s = summarize(plan);
    const parts = [
      s.create ? `${s.create} created` : '',
      s.update ? `${s.update} updated` : '',
      s.recreate ? `${s.recreate} recreated` : '',
      s.remove ? `${s.remove} removed` : '',
    ].filter(Boolean);
    const names = results.map((x) => `${x.action.op} ${x.action.kind} ${x.action.name}`);
    const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, and ${names.length - 5} more` : '');
    rec.record({
      key,
      type: 'Normal',
      reason: drift ? 'DriftCorrected' : 'Applied',
      action: 'Reconcile',
      note: `${parts.join(', ')}: ${shown}`,
    });
  }

  /** One revision series per key: the old label set is removed when the revision changes. */
  #recordRevision(key: string, revision: string | undefined): void {
    const old = this.#revisions.get(key);
    if (old === revision) return;
    if (old !== undefined) this.opts.metrics.appliedRevision.remove({ key, revision: old });
    if (revision === undefined) this.#revisions.delete(key);
    else {
      this.#revisions.set(key, revision);
      this.opts.metrics.appliedRevision.set({ key, revision }, 1);
    }
  }

  /** A resource just became Ready: whatever waits for it (spec.dependsOn) is reconciled now. */
  async #wakeDependents(key: string): Promise<void> {
    for (const k of this.store.keys()) {
      const r = this.store.get(k)?.resource;
      const deps = (r?.spec['dependsOn'] ?? []) as { kind: string; name: string; namespace?: string }[];
      if (r && deps.some((d) => `${d.kind}/${d.namespace ?? r.namespace}/${d.name}` === key))
        await this.queue.enqueue(k);
    }
  }

  async #checkDependencies(spec: Record<string, unknown>, namespace: string): Promise<void> {
    const deps = (spec['dependsOn'] ?? []) as { kind: string; name: string; namespace?: string }[];
    for (const d of deps) {
      const depKey = `${d.kind}/${d.namespace ?? namespace}/${d.name}`;
      const st = await this.statuses.get(depKey);
      if (!isTrue(st?.conditions, 'Ready'))
        throw skError('DEPENDENCY_NOT_READY', `waiting for ${depKey} to be Ready`, { requeueAfterMs: 2000 });
    }
  }

  /** A resource being deleted: remove its objects (deletionPolicy Delete) or leave them, then release it. */
  async #finalize(
    key: string,
    res: DesiredResource,
    policy: 'Delete' | 'Orphan',
    lifecycle: ResourceLifecycle,
    log: Logger,
    ctx: ReconcileContext,
    root: string,
  ): Promise<ReconcileResult> {
    if (policy === 'Delete') {
      const r = await this.#prune(key, log, true, { ctx, res, root });
      if (r?.requeueAfterMs !== undefined) return r; // not removed yet: keep the finalizer
    } else await this.opts.redis.hset(this.#orphanedKey, key, new Date().toISOString());
    await lifecycle.finalized(res);
    log.info({ deletionPolicy: policy }, 'finalized a deleted resource');
    return undefined;
  }

  /** The key is no longer in any source: remove the objects it owns (only owned ones). */
  async #prune(
    key: string,
    log: Logger,
    deleting = false,
    removal?: { ctx: ReconcileContext; res?: DesiredResource; root?: string },
  ): Promise<ReconcileResult> {
    if (!deleting && (await this.opts.redis.hdel(this.#orphanedKey, key)) === 1) {
      log.info('resource removed with deletionPolicy Orphan: its objects are left in the Swarm');
      return undefined;
    }
    const custom = this.opts.kindReconcilers?.[parseOwnerKey(key)?.kind ?? ''];
    if (custom?.remove && removal) {
      const prev = (await this.statuses.get(key)) as KindStatus | undefined;
      const r = await custom.remove(
        key,
        removal.res,
        this.#kindContext(key, removal.ctx, prev, log, removal.root ?? '.', await this.#allResources()),
      );
      if (custom.writesServices) await this.#view.bump();
      if (!r.done) {
        if (r.status) await this.statuses.put(key, r.status);
        if (r.error) {
          this.opts.recorder?.record({
            key,
            type: 'Warning',
            reason: r.error.reason,
            action: 'Delete',
            note: r.error.message,
          });
          throw r.error;
        }
        return { requeueAfterMs: r.requeueAfterMs ?? 5000 };
      }
    }
    const keep = new Set(this.store.keys());
    keep.delete(key);
    const plans = (await planOrphans(this.opts.swarm, this.opts.instanceId, keep)).filter(
      (p) => p.owner === key,
    );
    for (const p of plans) {
      const results = await this.opts.swarm.apply(p);
      if (results.length > 0) await this.#view.bump();
      const failed = results.find((r) => !r.ok);
      if (failed?.error) throw failed.error;
      log.info({ removed: p.actions.length }, 'pruned objects of a resource removed from its source');
      this.opts.recorder?.record({
        key,
        type: 'Normal',
        reason: 'Pruned',
        action: 'Delete',
        note: `${p.actions.length} Swarm object(s) removed: ${p.actions
          .map((a) => `${a.kind} ${a.name}`)
          .slice(0, 5)
          .join(', ')}`,
      });
    }
    await this.statuses.delete(key);
    await this.conflicts.update(key, []);
    this.#recordRevision(key, undefined);
    await this.#owners.forget(key);
    return undefined;
  }
}

/** The plan's changes blocked because another owner holds the object. */
function planConflicts(plan: Plan): OwnershipConflict[] {
  return plan.blocked
    .filter((b) => b.code === 'SK_ERR_OWNERSHIP_CONFLICT')
    .map((b) => ({ object: `${b.kind} ${b.name}`, message: b.message }));
}
