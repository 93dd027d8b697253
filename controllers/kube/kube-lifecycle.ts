import { CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import {
  type CustomObject,
  deletionOf,
  deletionPolicy,
  FIELD_MANAGER,
  FINALIZER,
  KUBE_SOURCE_NAME,
  kubeSpecProblem,
  parseCrKey,
} from './cr-resource.js';
import type { ObjectCache } from './kube-status-store.js';
import type { ResourceLifecycle } from '../ports.js';

export interface KubeLifecycleOptions {
  kubeConfig: KubeConfig;
  cache: ObjectCache;
  logger: Logger;
}

type JsonPatch = { op: 'add' | 'remove' | 'test'; path: string; value?: unknown }[];

const code = (e: unknown): number | undefined => (e as { code?: number }).code;

/**
 * The finalizer `swarmkeeper.io/cleanup` of custom resources: added before the first apply;
 * when the resource is deleted the controller removes (deletionPolicy Delete) or leaves (Orphan)
 * the Swarm objects it owns, then `finalized` removes the finalizer and the API server deletes it.
 */
export class KubeLifecycle implements ResourceLifecycle {
  readonly sources = [KUBE_SOURCE_NAME];
  readonly #api: CustomObjectsApi;
  readonly #opts: KubeLifecycleOptions;

  constructor(opts: KubeLifecycleOptions) {
    this.#opts = opts;
    this.#api = opts.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  #handles(res: DesiredResource): boolean {
    return res.origin.source === KUBE_SOURCE_NAME && parseCrKey(res.key) !== undefined;
  }

  async beforeApply(res: DesiredResource): Promise<void> {
    if (!this.#handles(res)) return;
    const problem = kubeSpecProblem(res);
    if (problem) throw problem;
    if (this.#opts.cache.object(res.key)?.metadata?.finalizers?.includes(FINALIZER)) return;
    const obj = await this.#get(res.key);
    if (!obj || obj.metadata?.deletionTimestamp) return;
    const finalizers = obj.metadata?.finalizers;
    if (finalizers?.includes(FINALIZER)) return;
    const patch: JsonPatch = finalizers
      ? [
          { op: 'test', path: '/metadata/resourceVersion', value: obj.metadata?.resourceVersion },
          { op: 'add', path: '/metadata/finalizers/-', value: FINALIZER },
        ]
      : [
          { op: 'test', path: '/metadata/resourceVersion', value: obj.metadata?.resourceVersion },
          { op: 'add', path: '/metadata/finalizers', value: [FINALIZER] },
        ];
    await this.#patch(res.key, patch);
    this.#opts.logger.debug({ key: res.key }, 'finalizer added');
  }

  deletion(res: DesiredResource): 'Delete' | 'Orphan' | undefined {
    if (!this.#handles(res) || deletionOf(res) === undefined) return undefined;
    return deletionPolicy(res);
  }

  async finalized(res: DesiredResource): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const obj = await this.#get(res.key);
      const i = obj?.metadata?.finalizers?.indexOf(FINALIZER) ?? -1;
      if (!obj || i < 0) return;
      try {
        await this.#patch(res.key, [
          { op: 'test', path: `/metadata/finalizers/${i}`, value: FINALIZER },
          { op: 'remove', path: `/metadata/finalizers/${i}` },
        ]);
        this.#opts.logger.info({ key: res.key }, 'finalizer removed');
        return;
      } catch (e) {
        // The list changed between the read and the patch: read again.
        if (attempt < 3 && (code(e) === 422 || code(e) === 409)) continue;
        throw e;
      }
    }
  }

  async #get(key: string): Promise<CustomObject | undefined> {
    const k = parseCrKey(key)!;
    try {
      return (await this.#api.getNamespacedCustomObject({
        ...k.ref,
        namespace: k.namespace,
        name: k.name,
      })) as CustomObject;
    } catch (e) {
      if (code(e) === 404) return undefined;
      throw e;
    }
  }

  async #patch(key: string, body: JsonPatch): Promise<void> {
    const k = parseCrKey(key)!;
    try {
      await this.#api.patchNamespacedCustomObject(
        { ...k.ref, namespace: k.namespace, name: k.name, body, fieldManager: FIELD_MANAGER },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
    } catch (e) {
      if (code(e) === 404) return;
      throw e;
    }
  }
}
