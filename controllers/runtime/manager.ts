/**
 * The manager (controller-runtime's Manager): runs the parts it is given, wired by
 * build-manager.ts. Sources feed the desired state; changed keys go to the work queue, whose
 * workers run the reconcile loop; the leader (the lease) follows the Docker events stream and
 * maps events to keys through the event map and the owner index, so drift is put back within seconds.
 */
import type { Logger } from 'pino';
import type { ConflictStore, KindReconcilers, Lease, OwnerIndex, Source, SwarmEvent } from '../ports.js';
import type { DesiredState } from './desired-state.js';
import { keysOfKinds, mapEvent } from './event-map.js';
import type { WorkQueue } from './queue/index.js';
import type { ResourceStore } from './resource-store.js';
import { settlesWithin } from './shutdown.js';
import type { ImagePollNow } from '../observability/registry-hook.js';

export interface ManagerParts {
  sources: readonly Source[];
  desired: DesiredState;
  queue: WorkQueue;
  /** The snapshot epoch of the resync pass's shared view of the Swarm. */
  epoch: { bump(): Promise<void> };
  owners: OwnerIndex;
  kinds: KindReconcilers;
  lease: Lease;
  /** The Docker events stream (followed while this replica holds the lease). */
  events: { start(): void; stop(): void };
  /** Objects this instance would manage that another owner holds (makes /readyz fail). */
  conflicts: ConflictStore;
  logger: Logger;
  /** Pollers that enqueue on their own (the image update poller), from start to stop. */
  pollers?: readonly { start(): void; stop(): Promise<void> }[];
  /** The image update poller, polled at once by POST /hooks/registry. */
  imagePoller?: ImagePollNow;
}

export class Manager {
  readonly queue: WorkQueue;
  readonly conflicts: ConflictStore;
  readonly imagePoller: ImagePollNow | undefined;
  readonly #p: ManagerParts;
  #sourcesReady = false;
  #snapshots: Promise<void> = Promise.resolve();

  constructor(parts: ManagerParts) {
    this.#p = parts;
    this.queue = parts.queue;
    this.conflicts = parts.conflicts;
    this.imagePoller = parts.imagePoller;
  }

  get store(): ResourceStore {
    return this.#p.desired.store;
  }

  get sourcesReady(): boolean {
    return this.#sourcesReady;
  }

  async start(): Promise<void> {
    const { desired, queue, epoch } = this.#p;
    for (const s of this.#p.sources)
      await s.start((snap) => {
        desired.loaded(s.name);
        // one snapshot at a time, in arrival order: a slow one must not land after a newer one
        this.#snapshots = this.#snapshots
          .catch(() => undefined)
          .then(async () => {
            const change = await desired.apply(snap);
            if (!this.#sourcesReady) return;
            for (const key of [...change.changed, ...change.removed]) await queue.enqueue(key);
          });
        this.#background('source snapshot', this.#snapshots);
      });
    // Every first snapshot must be in the store before a worker takes a job: a job left in Redis by
    // an earlier run would otherwise find its key missing and prune it.
    await this.#snapshots.catch(() => undefined);
    this.#sourcesReady = true;
    // Each resync pass starts a new epoch (once, by the replica that starts it): the Swarm is read
    // afresh, once in every replica that takes a share of the pass.
    queue.registerResync(async ({ fresh }) => {
      if (fresh) await epoch.bump();
      return desired.resyncKeys();
    });
    await queue.start();
    // the start-up pass is a resync too: one fresh snapshot of the Swarm for all of it
    await epoch.bump();
    for (const key of desired.keys()) await queue.enqueue(key, { via: 'resync' });
    for (const p of this.#p.pollers ?? []) p.start();
    this.#p.lease.start();
  }

  /**
   * Graceful and bounded, counted from the call: the events stream is dropped; the sources stop
   * (2 s at most) while the lease is released if Redis answers within a second; then the queue
   * closes, its active reconciles getting what is left of deadlineMs (see WorkQueue.close).
   * Nothing here waits on an unreachable Redis or Docker API.
   */
  async stop(deadlineMs = 30_000): Promise<void> {
    const t0 = Date.now();
    const log = this.#p.logger;
    this.#p.events.stop();
    await Promise.all((this.#p.pollers ?? []).map((p) => settlesWithin(p.stop(), 1000)));
    const [sourcesStopped, leaseReleased] = await Promise.all([
      settlesWithin(Promise.all(this.#p.sources.map((s) => s.stop())), 2000),
      settlesWithin(this.#p.lease.stop(), 1000),
    ]);
    if (!sourcesStopped) log.warn('sources did not stop within 2 s');
    if (!leaseReleased)
      log.warn('the leader lease could not be released (Redis unreachable); it lapses by its TTL');
    await this.queue.close(Math.max(0, deadlineMs - (Date.now() - t0)));
  }

  /** A Docker event (the leader): invalidate snapshots first, then enqueue what it concerns. */
  onEvent(e: SwarmEvent): void {
    const { epoch, owners, queue, desired } = this.#p;
    const t = mapEvent(e, this.#p.kinds);
    // A change to what snapshots hold: invalidate every replica's before anything is enqueued for it.
    const bumped = t.invalidatesSnapshots ? epoch.bump() : Promise.resolve();
    // The index in Redis knows every resource's objects, whichever replica reconciled them.
    const name = t.objectName;
    if (name)
      this.#background(
        'enqueue from event',
        bumped.then(async () => {
          const owner = await owners.lookup(name);
          if (owner) await queue.enqueue(owner);
        }),
      );
    for (const kind of t.kinds)
      this.#background(
        'enqueue from event',
        bumped.then(async () => {
          for (const key of keysOfKinds([kind], await desired.resyncKeys())) await queue.enqueue(key);
        }),
      );
    if (!name && t.kinds.length === 0) this.#background('swarm change', bumped);
  }

  /** The events stream (re)connected: after a reconnect events may have been missed, so resync. */
  onEventsConnected(reconnect: boolean): void {
    if (reconnect) this.#background('resync after reconnect', this.queue.resyncNow());
  }

  /**
   * The shared Redis client connected again after losing its connection (a restart, or a failover
   * to a replica that may not have every last write: Redis replicates asynchronously). A job, lock
   * or lease written just before may be gone, so every key is enqueued again (the resync provider
   * starts a fresh snapshot epoch): a reconcile in flight then runs once more instead of being lost.
   */
  onRedisReconnected(): void {
    if (!this.#sourcesReady) return; // the start-up pass enqueues every key anyway
    this.#p.logger.info('redis connection restored: resyncing every key');
    this.#background('resync after a Redis reconnection', this.queue.resyncNow());
  }

  /** Work started from a callback: a failure (Redis down) is logged, never an unhandled rejection. */
  #background(what: string, p: Promise<unknown>): void {
    p.catch((err: unknown) => this.#p.logger.error({ err }, `${what} failed`));
  }
}
