import { CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { KINDS } from '../../reconciler/api/index.js';
import type { ResourceStatus } from '../../reconciler/status/resource-status.js';
import { statusChanged } from '../redis/status-store.js';
import { canonical, type CustomObject, FIELD_MANAGER, isRecord, parseCrKey } from './cr-resource.js';
import type { StatusStore } from '../ports.js';

/** Where the status store finds the current custom objects (the KubeSource's informer cache). */
export interface ObjectCache {
  object(key: string): CustomObject | undefined;
  /** A key the cache does not hold, read from the API (a replica that runs no informer). */
  fetch?(key: string): Promise<CustomObject | undefined>;
}

export interface KubeStatusStoreOptions {
  kubeConfig: KubeConfig;
  cache: ObjectCache;
  /** Keys that are not custom resources of the cache (other sources, `Source/<name>`) go here. */
  fallback: StatusStore;
  logger: Logger;
  registry?: Registry;
}

/** The status fields a kind's CRD keeps (the API server prunes the others). */
function projectStatus(kind: keyof typeof KINDS, status: ResourceStatus): Record<string, unknown> {
  const schema = KINDS[kind].statusSchema as unknown as { shape?: Record<string, unknown> };
  const keys = schema.shape ? new Set(Object.keys(schema.shape)) : undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(status)) if (v !== undefined && (!keys || keys.has(k))) out[k] = v;
  return canonical(out);
}

/** Numeric resourceVersions compare as etcd revisions; anything else counts as "not newer". */
function newer(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) > BigInt(b);
}

/**
 * Status of custom resources, written to their /status subresource (merge patch, field manager
 * `swarmkeeper`) only when it changed in anything but timestamps. Reads come from the informer
 * cache; a status this store wrote is used until the cache has caught up with it.
 */
export class KubeStatusStore implements StatusStore {
  readonly #api: CustomObjectsApi;
  readonly #opts: KubeStatusStoreOptions;
  readonly #written = new Map<string, { resourceVersion?: string; status: ResourceStatus }>();
  readonly writes: Counter<'kind'>;

  constructor(opts: KubeStatusStoreOptions) {
    this.#opts = opts;
    this.#api = opts.kubeConfig.makeApiClient(CustomObjectsApi);
    this.writes = new Counter({
      name: 'swarmkeeper_kube_status_writes_total',
      help: 'Status subresource writes to custom resources, by kind',
      labelNames: ['kind'] as const,
      registers: opts.registry ? [opts.registry] : [],
    });
  }

  #mine(key: string): CustomObject | undefined {
    return parseCrKey(key) ? this.#opts.cache.object(key) : undefined;
  }

  async get(key: string): Promise<ResourceStatus | undefined> {
    // A follower holds no informer cache: a dependency's status is read from the API.
    const obj = this.#mine(key) ?? (parseCrKey(key) ? await this.#opts.cache.fetch?.(key) : undefined);
    if (!obj) return this.#opts.fallback.get(key);
    const rv = obj.metadata?.resourceVersion;
    const w = this.#written.get(key);
    if (w && (rv === w.resourceVersion || newer(rv, w.resourceVersion))) this.#written.delete(key);
    else if (w) return w.status;
    return isRecord(obj.status) ? (obj.status as unknown as ResourceStatus) : undefined;
  }

  async put(key: string, status: ResourceStatus): Promise<boolean> {
    const obj = this.#mine(key);
    const k = parseCrKey(key);
    if (!obj || !k) return this.#opts.fallback.put(key, status);
    const prev = await this.get(key);
    const next = projectStatus(k.ref.kind, status);
    const before = prev ? (projectStatus(k.ref.kind, prev) as unknown as ResourceStatus) : undefined;
    if (!statusChanged(before, next as unknown as ResourceStatus)) return false;
    let res: CustomObject;
    try {
      res = (await this.#api.patchNamespacedCustomObjectStatus(
        {
          ...k.ref,
          namespace: k.namespace,
          name: k.name,
          body: { status: next },
          fieldManager: FIELD_MANAGER,
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )) as CustomObject;
    } catch (e) {
      // Deleted meanwhile: there is no status to write any more.
      if ((e as { code?: number }).code === 404) return false;
      throw e;
    }
    this.#written.set(key, {
      ...(res.metadata?.resourceVersion ? { resourceVersion: res.metadata.resourceVersion } : {}),
      status: (isRecord(res.status) ? res.status : next) as unknown as ResourceStatus,
    });
    this.writes.inc({ kind: k.ref.kind });
    this.#opts.logger.debug({ key }, 'status written');
    return true;
  }

  async list(): Promise<Map<string, ResourceStatus>> {
    const out = await this.#opts.fallback.list();
    for (const key of this.#written.keys()) {
      const st = await this.get(key);
      if (st) out.set(key, st);
    }
    return out;
  }

  async delete(key: string): Promise<void> {
    // The status of a custom resource goes away with the resource itself.
    this.#written.delete(key);
    if (!this.#mine(key)) await this.#opts.fallback.delete(key);
  }
}
