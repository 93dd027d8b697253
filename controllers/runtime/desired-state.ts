/**
 * Source intake: every source's snapshots, merged in the resource store behind the empty-source
 * guard, and what the reconcile loop asks about desired state (a key's resource, whether every
 * source has loaded, every resource for the kinds' views and the resync).
 */
import type { Logger } from 'pino';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import { nextStatus } from '../../reconciler/status/resource-status.js';
import type { ResourceLifecycle, Source, SourceSnapshot, StatusStore } from '../ports.js';
import { PruneGuard } from './prune-guard.js';
import { ResourceStore, type StoreChange, type StoredResource } from './resource-store.js';

export interface DesiredStateOptions {
  sources: readonly Source[];
  statuses: StatusStore;
  logger: Logger;
  /** Empty-source guard: refuse to prune when a source drops more than this fraction of its resources. */
  maxPruneFraction?: number;
  allowEmpty?: boolean;
  /** Sources whose deletions are explicit (finalizers) are exempt from the guard. */
  lifecycle?: Pick<ResourceLifecycle, 'sources'>;
}

export class DesiredState {
  readonly store = new ResourceStore();
  readonly #opts: DesiredStateOptions;
  readonly #guard: PruneGuard;
  /** Sources that produced at least one snapshot: until all have, nothing is pruned. */
  readonly #loaded = new Set<string>();
  /** The store's resources, built once per store version. */
  #stored: { version: number; all: readonly DesiredResource[] } | undefined;
  /** allResources(), built once per store view and per list of each source that lists on demand. */
  #all: { stored: readonly DesiredResource[]; lists: unknown[]; all: readonly DesiredResource[] } | undefined;

  constructor(opts: DesiredStateOptions) {
    this.#opts = opts;
    this.#guard = new PruneGuard(opts.maxPruneFraction ?? 0.5, opts.allowEmpty ?? false);
  }

  get sources(): readonly Source[] {
    return this.#opts.sources;
  }

  /** A source emitted its first (or a new) snapshot. */
  loaded(source: string): void {
    this.#loaded.add(source);
  }

  /** Sources that have not produced a snapshot yet. */
  pendingSources(): string[] {
    return this.#opts.sources.filter((s) => !this.#loaded.has(s.name)).map((s) => s.name);
  }

  /** Merges a snapshot (through the empty-source guard); returns what changed. */
  async apply(snap: SourceSnapshot): Promise<StoreChange> {
    const log = this.#opts.logger;
    for (const err of snap.errors) log.warn({ source: snap.source, code: err.code, err }, 'source problem');
    const prev = this.store.snapshots().find((s) => s.source === snap.source);
    const verdict = this.#opts.lifecycle?.sources.includes(snap.source)
      ? { allowed: true, keep: snap.resources }
      : this.#guard.check(prev, snap);
    if (!verdict.allowed) {
      log.error({ source: snap.source, reason: verdict.message }, 'prune blocked by the empty-source guard');
      await this.#opts.statuses.put(
        `Source/${snap.source}`,
        nextStatus(undefined, { applied: false, error: verdict.error }, new Date()),
      );
      // Keep what was there; apply only additions and changes.
      snap = { ...snap, resources: verdict.keep };
    } else await this.#opts.statuses.delete(`Source/${snap.source}`);
    return this.store.update(snap);
  }

  get(key: string): StoredResource | undefined {
    return this.store.get(key);
  }

  conflict(key: string): ReturnType<ResourceStore['conflict']> {
    return this.store.conflict(key);
  }

  keys(): string[] {
    return this.store.keys();
  }

  /**
   * The store's resources (what dependents are looked for in): one frozen array per store version,
   * shared by the reconciles until the store changes (a resync pass does not build it per key).
   */
  resources(): readonly DesiredResource[] {
    const version = this.store.version;
    if (this.#stored?.version !== version) {
      const all = this.store.keys().flatMap((k) => this.store.get(k)?.resource ?? []);
      this.#stored = { version, all: Object.freeze(all) };
    }
    return this.#stored.all;
  }

  /**
   * A key missing from the store: a source that reads its API on demand (the Kubernetes source of a
   * replica that does not run the informers) says whether it still exists. Only when none has it
   * is the key pruned; a source that cannot tell throws, and nothing is pruned on a guess.
   */
  async lookup(key: string): Promise<StoredResource | undefined> {
    for (const s of this.#opts.sources) {
      const resource = await s.lookup?.(key);
      if (resource)
        return { resource, root: this.store.snapshots().find((x) => x.source === s.name)?.root ?? '.' };
    }
    return undefined;
  }

  listsOnDemand(): boolean {
    return this.#opts.sources.some((s) => s.resources !== undefined);
  }

  /**
   * Every desired resource: the store's, plus what a source lists when its snapshot may not hold
   * them all (the Kubernetes source of a replica that does not run the informers). Built again
   * only when the store changed or a source listed anew (a source returns the same array while its
   * list holds: the KubeSource's informer cache, a follower's reused list), so the reconciles of a
   * pass share one view instead of building it once per key (quadratic in the resources).
   */
  async allResources(): Promise<readonly DesiredResource[]> {
    const lists: unknown[] = [];
    for (const s of this.#opts.sources) if (s.resources) lists.push(await s.resources());
    const stored = this.resources();
    const memo = this.#all;
    if (memo?.stored === stored && memo.lists.every((l, i) => l === lists[i])) return memo.all;
    const byKey = new Map<string, DesiredResource>();
    for (const r of stored) byKey.set(r.key, r);
    for (const list of lists as DesiredResource[][])
      for (const r of list) if (!byKey.has(r.key)) byKey.set(r.key, r);
    const all = Object.freeze([...byKey.values()]);
    this.#all = { stored, lists, all };
    return all;
  }

  /** Every key for the periodic resync (a source that cannot list now is logged and skipped). */
  async resyncKeys(): Promise<string[]> {
    const keys = new Set(this.store.keys());
    for (const s of this.#opts.sources) {
      if (!s.resources) continue;
      try {
        for (const r of await s.resources()) keys.add(r.key);
      } catch (err) {
        this.#opts.logger.warn({ source: s.name, err }, 'resync: listing the source failed');
      }
    }
    return [...keys].sort();
  }
}
