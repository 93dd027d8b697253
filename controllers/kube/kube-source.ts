import { compareNames } from '../../reconciler/model/order.js';
import { createHash } from 'node:crypto';
import { CustomObjectsApi, type KubeConfig, type KubernetesListObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { KIND_NAMES, type KindName } from '../../reconciler/api/index.js';
import { skError } from '../../reconciler/errors.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import {
  type CustomObject,
  KUBE_SOURCE_NAME,
  kindRef,
  listCustomObjects,
  parseCrKey,
  toDesiredResource,
} from './cr-resource.js';
import { KubeInformers } from './kube-informers.js';
import type { Source, SourceSnapshot } from '../ports.js';

/** The election a KubeSource follows (KubeLease): only the leader runs the informers. */
export interface InformerLease {
  /** Resolves after the first attempt (isLeader tells whether it won). */
  start(): Promise<void> | void;
  stop(): Promise<void>;
  readonly isLeader: boolean;
}

export interface KubeSourceOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  /** Watch one namespace only (default: all namespaces). */
  namespace?: string;
  kinds?: readonly KindName[];
  /** Restart delays of a failed list/watch (exponential, capped). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Root handed to the controller: custom resources have no source directory (no file is readable). */
  root?: string;
  /**
   * Several replicas: the lease made with these hooks elects the one that runs the informers; the
   * others look keys up in the API. Without it this source always runs its informers.
   */
  lease?: (hooks: { onAcquired: () => void; onLost: () => void }) => InformerLease;
}

/** How long a follower reuses its list of every custom resource. */
const LIST_REUSE_MS = 2000;

const code = (e: unknown): number | undefined => (e as { code?: number } | undefined)?.code;

/** A Kubernetes API failure as a transient error naming the resource (one line, no response body). */
function apiError(what: string, e: unknown) {
  const msg = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
  return skError('INTERNAL', `${what}: Kubernetes API: ${code(e) ? `HTTP ${code(e)}: ` : ''}${msg}`, {
    cause: e,
  });
}

/**
 * Desired state from swarmkeeper.io custom resources.
 *
 * Leader (or no lease): one informer (list + watch) per kind; every add/update/delete emits a full
 * snapshot of the cached objects as DesiredResources. The ResourceStore's comparison is the
 * GenerationChangedPredicate, since status, resourceVersion and managedFields are not part of a
 * DesiredResource.
 *
 * Follower: no informer runs and the snapshot is empty (so the store never holds a stale cache);
 * the controller reconciles keys taken from the shared queue through `lookup` (a GET of the
 * custom object; 404 = really gone); resync and the kind reconcilers' view of other resources
 * come from `resources` (a list per kind). Losing the lease stops the informers and empties the
 * snapshot; winning it starts them and emits the full snapshot once every kind has listed.
 */
export class KubeSource implements Source {
  readonly name = KUBE_SOURCE_NAME;
  readonly #opts: KubeSourceOptions;
  readonly #log: Logger;
  readonly #api: CustomObjectsApi;
  readonly #kinds: readonly KindName[];
  /** The informers of the current leadership term (undefined while following). */
  #informers: KubeInformers | undefined;
  #lease: InformerLease | undefined;
  /** Objects read by lookup/fetch, for the status store and the finalizer while no informer has them. */
  readonly #fetched = new Map<string, CustomObject>();
  #emit: ((s: SourceSnapshot) => void) | undefined;
  #stopped = false;
  #pending = false;
  #leading: Promise<void> = Promise.resolve();
  #stopping: Promise<void> = Promise.resolve();
  /** A follower's last list of every kind (see resources()). */
  #listed: { at: number; resources: DesiredResource[] } | undefined;
  /** The snapshot of the informers' cache, built once per cache generation (see snapshot()). */
  #built: { inf: KubeInformers; generation: number; snapshot: SourceSnapshot } | undefined;

  constructor(opts: KubeSourceOptions) {
    this.#opts = opts;
    this.#log = opts.logger.child({ source: KUBE_SOURCE_NAME });
    this.#api = opts.kubeConfig.makeApiClient(CustomObjectsApi);
    this.#kinds = opts.kinds ?? KIND_NAMES;
  }

  get root(): string {
    return this.#opts.root ?? '/nonexistent/swarmkeeper-kubernetes-resources';
  }

  /** True once every informer has listed (and after each recovery, until the next error). */
  get synced(): boolean {
    return this.#informers?.synced ?? false;
  }

  /** This replica runs the informers (always true without a lease). */
  get leader(): boolean {
    return this.#lease ? this.#lease.isLeader : this.#informers !== undefined;
  }

  /** ListWatches running in this replica (one per kind while leading, 0 while following). */
  get informersRunning(): number {
    return this.#informers?.running ?? 0;
  }

  /** For /readyz: a follower is ready; a leader once every kind's informer is synced. */
  get informersReady(): boolean {
    return this.#informers ? this.#informers.synced : !this.leader;
  }

  async start(emit: (snapshot: SourceSnapshot) => void): Promise<void> {
    this.#stopped = false;
    this.#emit = emit;
    const factory = this.#opts.lease;
    if (!factory) {
      this.#lead();
      await this.#leading;
      return;
    }
    this.#lease = factory({ onAcquired: () => this.#lead(), onLost: () => this.#follow() });
    await this.#lease.start();
    await this.#leading;
    // A follower has loaded too: its (empty) snapshot says so, and keys are looked up on demand.
    if (!this.#informers) this.#emitNow();
  }

  async sync(): Promise<void> {
    this.#emitNow();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#emit = undefined;
    await this.#lease?.stop(); // releases the Lease: onLost stops the informers
    const inf = this.#informers;
    this.#informers = undefined;
    await Promise.all([inf?.stop(), this.#stopping]);
  }

  /** Won the lease (or no lease): start a new set of informers, emit once they have all listed. */
  #lead(): void {
    if (this.#informers || this.#stopped) return;
    const inf = new KubeInformers({
      kubeConfig: this.#opts.kubeConfig,
      logger: this.#log,
      kinds: this.#kinds,
      ...(this.#opts.namespace ? { namespace: this.#opts.namespace } : {}),
      ...(this.#opts.backoff ? { backoff: this.#opts.backoff } : {}),
      onChange: () => this.#schedule(),
    });
    this.#informers = inf;
    if (this.#lease) this.#log.info({ kinds: this.#kinds.length }, 'leading: starting the informers');
    this.#leading = inf.start().then((listed) => {
      if (listed && this.#informers === inf) this.#emitNow();
    });
  }

  /** Lost the lease: stop the informers; the snapshot empties (keys are looked up from now on). */
  #follow(): void {
    const inf = this.#informers;
    if (!inf) return;
    this.#informers = undefined;
    // At once: the store must not hold a cache that no watch keeps fresh any more.
    this.#emitNow();
    this.#stopping = inf.stop().then(() => {
      if (!this.#stopped) this.#log.info('following: informers stopped; keys are looked up in the API');
    });
  }

  /** The cached object of a `Kind/namespace/name` key (informer cache, else the last lookup). */
  object(key: string): CustomObject | undefined {
    const k = parseCrKey(key);
    if (!k) return undefined;
    return this.#informers?.object(k.ref.kind, k.namespace, k.name) ?? this.#fetched.get(key);
  }

  /**
   * The object of a key no informer of this replica holds (a follower, or a leader still listing):
   * read from the API. Undefined when the informer cache answers, or the object does not exist.
   */
  async fetch(key: string): Promise<CustomObject | undefined> {
    if (this.#informers?.listed || !this.#mine(key)) return undefined;
    await this.lookup(key);
    return this.#fetched.get(key);
  }

  /**
   * A key the controller holds no desired state for: does its custom object exist? GET from the
   * API, converted the way the informer converts it. null: it does not (404), undefined: not a
   * key of this source. A failed read throws (a transient error): nothing is pruned on a guess.
   */
  async lookup(key: string): Promise<DesiredResource | null | undefined> {
    const k = this.#mine(key);
    if (!k) return undefined;
    let obj: CustomObject;
    try {
      obj = (await this.#api.getNamespacedCustomObject({
        ...k.ref,
        namespace: k.namespace,
        name: k.name,
      })) as CustomObject;
    } catch (e) {
      if (code(e) === 404) {
        this.#fetched.delete(key);
        return null;
      }
      throw apiError(`reading ${key}`, e);
    }
    this.#fetched.set(key, obj);
    return toDesiredResource({ ...obj, kind: obj.kind ?? k.ref.kind }) ?? null;
  }

  /**
   * Every resource of this source now: the informer cache, or (a follower) one list per kind,
   * reused for a moment so that a burst of reconciles lists once.
   */
  async resources(): Promise<DesiredResource[]> {
    if (this.#informers?.listed) return this.snapshot().resources;
    const now = Date.now();
    if (this.#listed && now - this.#listed.at < LIST_REUSE_MS) return this.#listed.resources;
    const resources: DesiredResource[] = [];
    for (const kind of this.#kinds) {
      let list: KubernetesListObject<CustomObject>;
      try {
        list = await listCustomObjects(this.#api, kind, this.#opts.namespace);
      } catch (e) {
        throw apiError(`listing ${kindRef(kind).plural}`, e);
      }
      for (const obj of list.items ?? []) {
        const r = toDesiredResource({ ...obj, kind: obj.kind ?? kind });
        if (r) resources.push(r);
      }
    }
    resources.sort((a, b) => compareNames(a.key, b.key));
    this.#listed = { at: now, resources };
    return resources;
  }

  /**
   * Every cached custom object, as the desired resources of one snapshot (empty while following).
   * Built once per generation of the informers' cache and shared (read only): the reconciles of a
   * pass ask for every resource once per key (resources()), and converting, sorting and hashing
   * the whole cache for each would make a pass quadratic in the custom resources.
   */
  snapshot(): SourceSnapshot {
    const inf = this.#informers;
    if (!inf?.listed) return this.#build(undefined);
    const b = this.#built;
    if (b?.inf === inf && b.generation === inf.generation) return b.snapshot;
    const generation = inf.generation;
    const snapshot = this.#build(inf);
    this.#built = { inf, generation, snapshot };
    return snapshot;
  }

  #build(inf: KubeInformers | undefined): SourceSnapshot {
    const resources: DesiredResource[] = [];
    if (inf)
      for (const { kind, obj } of inf.objects()) {
        const r = toDesiredResource({ ...obj, kind: obj.kind ?? kind });
        if (r) resources.push(r);
      }
    resources.sort((a, b) => compareNames(a.key, b.key));
    const hash = createHash('sha256');
    for (const r of resources) hash.update(`${r.key}@${r.generation ?? ''}\0`);
    return {
      source: this.name,
      root: this.root,
      revision: `kube:${hash.digest('hex').slice(0, 16)}`,
      resources,
      errors: [],
    };
  }

  /** A custom-resource key this source would watch (its namespace, when one is set). */
  #mine(key: string): ReturnType<typeof parseCrKey> {
    const k = parseCrKey(key);
    if (!k || !this.#kinds.includes(k.ref.kind)) return undefined;
    if (this.#opts.namespace && k.namespace !== this.#opts.namespace) return undefined;
    return k;
  }

  #emitNow(): void {
    if (!this.#stopped) this.#emit?.(this.snapshot());
  }

  /** Coalesces the events of one tick (a relist fires one per object) into one snapshot. */
  #schedule(): void {
    if (this.#pending || !this.#emit) return;
    this.#pending = true;
    setImmediate(() => {
      this.#pending = false;
      this.#emitNow();
    });
  }
}
