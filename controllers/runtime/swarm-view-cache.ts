/**
 * The resync pass's shared view of the Swarm (see docker/swarm-snapshot.ts), kept correct across
 * replicas by an invalidation epoch in Redis:
 *  - whoever learns that the Swarm changed bumps the epoch BEFORE it enqueues the affected key (the
 *    Docker events leader for every service, network, config or secret event, a worker after its
 *    own writes; an events reconnect resyncs, and the pass bumps it);
 *  - a snapshot records the epoch read BEFORE its lists were taken, and is served only while the
 *    epoch is unchanged (and it is younger than maxAgeMs).
 * So a reconcile that starts after a change was announced never reads a snapshot taken before it;
 * one that read an older snapshot just before is followed by the reconcile that change enqueued.
 * Every resync pass bumps the epoch when it starts, so a pass never reuses the previous pass's read.
 * Only resync reconciles use it: event- and source-driven ones observe on their own.
 */
import type { Redis } from 'ioredis';
import type { SwarmSnapshot } from '../docker/swarm-snapshot.js';

export type SnapshotResult = 'hit' | 'built' | 'bypassed';

export interface SwarmViewCacheOptions {
  redis: Redis;
  /** Redis key of the epoch counter (shared by every replica of the instance). */
  epochKey: string;
  /** Reads a new snapshot stamped with `epoch`. */
  take(epoch: string): Promise<SwarmSnapshot>;
  /** Never serve a snapshot older than this (default 30 s), whatever the epoch says. */
  maxAgeMs?: number;
  /**
   * After a build, wait this long before the next one (default 1 s): while the Swarm churns, the
   * reconciles in between observe on their own instead of rebuilding on every change.
   */
  minRebuildMs?: number;
  /**
   * And at least this many times as long as the last build took, counted from its end (default
   * 10): at scale one build lists thousands of services with their task counts, which costs
   * dockerd seconds, so a Swarm that keeps changing (a start-up pass creating everything) is not
   * re-listed every second; reads stay at most ~1/(factor + 1) of the time. Never more than maxAgeMs.
   */
  rebuildCostFactor?: number;
  onResult?(result: SnapshotResult): void;
  now?: () => number;
  /** Runs `fn` once after `ms` (default: an unref'd setTimeout); tests pass their own. */
  setTimer?: (fn: () => void, ms: number) => void;
}

function unrefTimer(fn: () => void, ms: number): void {
  setTimeout(fn, ms).unref();
}

export class SwarmViewCache {
  readonly #opts: SwarmViewCacheOptions;
  readonly #now: () => number;
  readonly #maxAgeMs: number;
  #current: SwarmSnapshot | undefined;
  #building: { epoch: string; promise: Promise<SwarmSnapshot | undefined> } | undefined;
  #nextBuildAt = Number.NEGATIVE_INFINITY;

  constructor(opts: SwarmViewCacheOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#maxAgeMs = opts.maxAgeMs ?? 30_000;
  }

  /** Announces a change of the Swarm: every replica's snapshot taken before now is stale. */
  async bump(): Promise<void> {
    this.#current = undefined;
    await this.#opts.redis.incr(this.#opts.epochKey);
  }

  /** A snapshot valid now, or undefined (the caller observes on its own). Never throws. */
  async get(): Promise<SwarmSnapshot | undefined> {
    let epoch: string;
    try {
      epoch = (await this.#opts.redis.get(this.#opts.epochKey)) ?? '0';
    } catch {
      return this.#result(undefined, 'bypassed');
    }
    const cur = this.#current;
    if (cur && cur.epoch === epoch && this.#now() - cur.takenAt < this.#maxAgeMs)
      return this.#result(cur, 'hit');
    if (this.#building?.epoch === epoch) {
      const snap = await this.#building.promise;
      return this.#result(snap, snap ? 'hit' : 'bypassed');
    }
    const start = this.#now();
    if (start < this.#nextBuildAt) return this.#result(undefined, 'bypassed');
    this.#nextBuildAt = start + (this.#opts.minRebuildMs ?? 1000);
    const spaceAfter = () => {
      const end = this.#now();
      const factor = this.#opts.rebuildCostFactor ?? 10;
      // never longer than a snapshot may live: a resync pass that comes later still reads once
      const space = Math.min(factor * (end - start), this.#maxAgeMs);
      this.#nextBuildAt = Math.max(this.#nextBuildAt, end + space);
    };
    const promise = this.#opts.take(epoch).then(
      (snap) => {
        spaceAfter();
        // a bump while the lists were read leaves the epoch behind: it is never served then
        this.#current = snap;
        this.#dropWhenExpired(snap);
        return snap;
      },
      () => {
        spaceAfter();
        return undefined; // the reconcile's own observe reports the error
      },
    );
    const building = { epoch, promise };
    this.#building = building;
    const snap = await promise;
    if (this.#building === building) this.#building = undefined;
    return this.#result(snap, snap ? 'built' : 'bypassed');
  }

  /** Whether a snapshot is held (for tests: one past maxAgeMs never is). */
  get holding(): boolean {
    return this.#current !== undefined;
  }

  /**
   * A snapshot is never served past maxAgeMs: let it go then. Otherwise it stayed until the next
   * bump (the next pass, or a change of the Swarm), holding every service's spec (~2 MB of heap
   * at 1,000 services) for nothing.
   */
  #dropWhenExpired(snap: SwarmSnapshot): void {
    const ms = Math.max(0, snap.takenAt + this.#maxAgeMs - this.#now());
    (this.#opts.setTimer ?? unrefTimer)(() => {
      if (this.#current === snap) this.#current = undefined;
    }, ms);
  }

  #result(snap: SwarmSnapshot | undefined, result: SnapshotResult): SwarmSnapshot | undefined {
    this.#opts.onResult?.(result);
    return snap;
  }
}
