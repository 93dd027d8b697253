/**
 * The wiring of `swarmkeeper run`: builds the Redis-backed parts (work queue, status store, owner
 * index, ownership conflicts, orphan marks, leader lease, snapshot epoch), the Docker events
 * watcher, the planned kinds beside the machine kinds, the reconcile loop, and injects them into
 * the Manager. Nothing here decides anything.
 */
import { hostname } from 'node:os';
import type Docker from 'dockerode';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { takeSnapshot } from '../docker/swarm-snapshot.js';
import { swarmNetworkKind } from '../network/network-kind.js';
import type { Metrics } from '../observability/metrics.js';
import type {
  EventRecorder,
  ImageResolver,
  KindReconcilers,
  OwnerIndex,
  RegistryTags,
  ResourceLifecycle,
  SecretResolver,
  Source,
  StatusStore,
  SwarmPort,
} from '../ports.js';
import type { PlannedKindDeps } from '../stack/planned-kind.js';
import { swarmStackKind } from '../stack/stack-kind.js';
import { ImageUpdatePoller } from '../stack/image-update-poller.js';
import type { StackSettings } from '../stack/stack-settings.js';
import { DesiredState } from './desired-state.js';
import { DockerEventsWatcher } from './docker-events.js';
import { RedisLease } from './leader-lease.js';
import { Manager } from './manager.js';
import { RedisOrphanMarks } from './orphan-marks.js';
import { RedisOwnerIndex } from './owner-index.js';
import { OwnershipConflicts } from './ownership-conflicts.js';
import { WorkQueue } from './queue/index.js';
import { ReconcileLoop } from './reconcile-loop.js';
import { RedisStatusStore } from '../redis/status-store.js';
import { onReconnected } from '../redis/redis-client.js';
import { SwarmViewCache } from './swarm-view-cache.js';

export interface ManagerOptions {
  docker: Docker;
  swarm: SwarmPort;
  /** Pins stack images to digests (spec.resolveImage); absent: none is resolved. */
  images?: ImageResolver;
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
  /** The machine kinds (SwarmNode, SwarmPlugin, SwarmVolume, SwarmVolumeMigration); the planned ones are added. */
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
  /** How often the image update policies poll their registries (run --image-update-interval; default 5 min). */
  imageUpdateIntervalMs?: number;
  /** The tags of a repository (image update policy semver); absent: semver policies do not poll. */
  registryTags?: RegistryTags;
}

export function buildManager(opts: ManagerOptions): Manager {
  const prefix = `swarmkeeper:${opts.instanceId}`;
  const log = opts.logger;
  const statuses = opts.statuses ?? new RedisStatusStore(opts.redis, prefix);
  const owners = opts.owners ?? new RedisOwnerIndex(opts.redis, `${prefix}:owners`);
  const conflicts = new OwnershipConflicts(opts.redis, `${prefix}:ownership-conflicts`, log);
  const desired = new DesiredState({
    sources: opts.sources,
    statuses,
    logger: log,
    ...(opts.maxPruneFraction !== undefined ? { maxPruneFraction: opts.maxPruneFraction } : {}),
    ...(opts.allowEmpty !== undefined ? { allowEmpty: opts.allowEmpty } : {}),
    ...(opts.lifecycle ? { lifecycle: opts.lifecycle } : {}),
  });
  const view = new SwarmViewCache({
    redis: opts.redis,
    epochKey: `${prefix}:swarm-epoch`,
    take: (epoch) => takeSnapshot(opts.docker, opts.instanceId, epoch),
    onResult: (result) => opts.metrics.swarmSnapshots.inc({ result }),
  });
  // the image update policies: polled in every replica, for the stacks its reconciles follow
  const poller = opts.images
    ? new ImageUpdatePoller({
        resolver: opts.images,
        ...(opts.registryTags ? { tags: opts.registryTags } : {}),
        intervalMs: opts.imageUpdateIntervalMs ?? 5 * 60_000,
        enqueue: (key) => queue.enqueue(key), // called once the queue is built
        logger: log.child({ component: 'image-update' }),
        onPoll: (policy, result) => opts.metrics.imagePolls.inc({ policy, result }),
      })
    : undefined;
  const planned: PlannedKindDeps = {
    swarm: opts.swarm,
    instanceId: opts.instanceId,
    secretHashKey: opts.secretHashKey,
    view,
    ...(opts.images ? { images: opts.images } : {}),
    ...(opts.secrets ? { secrets: opts.secrets } : {}),
    ...(opts.stack ? { stack: opts.stack } : {}),
    ...(opts.progressRequeueMs !== undefined ? { progressRequeueMs: opts.progressRequeueMs } : {}),
    ...(poller ? { imageUpdates: poller } : {}),
    // write-back only for the sources configured for it (writeBackBranch=)
    ...(opts.sources.some((s) => s.writeBack)
      ? { writeBackOf: (name: string) => opts.sources.find((s) => s.name === name)?.writeBack }
      : {}),
    onImageChange: (key) => opts.metrics.imageUpdates.inc({ key }),
  };
  const kinds: KindReconcilers = {
    SwarmStack: swarmStackKind(planned),
    SwarmNetwork: swarmNetworkKind(planned),
    ...opts.kindReconcilers,
  };
  const loop: ReconcileLoop = new ReconcileLoop({
    desired,
    kinds,
    statuses,
    owners,
    conflicts,
    marks: new RedisOrphanMarks(opts.redis, `${prefix}:orphaned`),
    swarm: opts.swarm,
    instanceId: opts.instanceId,
    metrics: opts.metrics,
    epoch: view,
    enqueue: (key) => queue.enqueue(key), // called by reconciles, after the queue is built
    logger: log,
    ...(opts.lifecycle ? { lifecycle: opts.lifecycle } : {}),
    ...(opts.recorder ? { recorder: opts.recorder } : {}),
  });
  const queue: WorkQueue = new WorkQueue({
    connection: opts.redis,
    name: 'reconcile',
    prefix,
    concurrency: opts.concurrency ?? 4,
    reconcile: (key, ctx) => loop.reconcile(key, ctx),
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
    ...(opts.resyncIntervalMs ? { resyncIntervalMs: opts.resyncIntervalMs } : {}),
    ...(opts.rateLimit ? { rateLimit: opts.rateLimit } : {}),
    logger: log,
    hooks: { onTerminal: (key, err) => log.warn({ key, err }, 'terminal error: not retried') },
  });
  const events = new DockerEventsWatcher(opts.docker, {
    logger: log,
    // called once the lease is held, after the manager is built
    onEvent: (e) => manager.onEvent(e),
    onConnected: (reconnect) => manager.onEventsConnected(reconnect),
  });
  const lease = new RedisLease(opts.redis, {
    key: `${prefix}:leader:events`,
    holder: `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`,
    ttlMs: opts.leaseTtlMs ?? 15_000,
    logger: log,
    onAcquired: () => events.start(),
    onLost: () => events.stop(),
  });
  const manager = new Manager({
    sources: opts.sources,
    desired,
    queue,
    epoch: view,
    owners,
    kinds,
    lease,
    events,
    conflicts,
    logger: log,
    ...(poller ? { pollers: [poller], imagePoller: poller } : {}),
  });
  onReconnected(opts.redis, () => manager.onRedisReconnected());
  return manager;
}
