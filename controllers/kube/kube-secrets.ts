/**
 * Secret references from Kubernetes Secrets (core/v1): values are read when a reconcile needs
 * them (readNamespacedSecret, never cached), and a Secret watch tells which Secrets changed so the
 * resources that reference them are reconciled again (a rotated value rolls the stack).
 * Neither the values nor the Secret data ever reach logs or errors: errors name the Secret and key.
 */
import {
  CoreV1Api,
  type KubeConfig,
  type KubernetesListObject,
  ListWatch,
  type V1Secret,
  Watch,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { skError } from '../../reconciler/errors.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import { isRecord } from './cr-resource.js';
import type { SecretResolver } from '../ports.js';

export interface KubeSecretResolverOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  /** Watch one namespace only (the controller's --namespace). */
  namespace?: string;
  /** Restart delays of a failed list/watch (exponential, capped). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Requeue delay of a reference to a Secret that does not exist (the watch usually comes first). */
  notFoundRequeueMs?: number;
}

/** `(namespace, name)` of a Secret that was added, changed or deleted. */
export type SecretChange = (namespace: string, name: string) => void;

const httpCode = (e: unknown): number | undefined => {
  const c =
    (e as { code?: unknown; statusCode?: unknown }).code ?? (e as { statusCode?: unknown }).statusCode;
  return typeof c === 'number' ? c : undefined;
};

/** A Secret with its metadata only: the watch cache never holds values. */
export function withoutData(s: V1Secret): V1Secret {
  const { data: _data, stringData: _stringData, ...rest } = s;
  return rest;
}

/** The decoded value of `key` in a Secret's data (base64), or undefined when the key is absent. */
export function secretValue(s: V1Secret, key: string): Buffer | undefined {
  const v = s.data && Object.hasOwn(s.data, key) ? s.data[key] : undefined;
  return v === undefined ? undefined : Buffer.from(v, 'base64');
}

/**
 * Names of the Secrets a resource's spec references: any object under a `secretRef` or
 * `<something>SecretRef` key with a string `name` (stack secretRefs, node TLS, volume presets).
 */
export function referencedSecrets(spec: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 32) return;
    if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
    else if (isRecord(v))
      for (const [k, x] of Object.entries(v)) {
        if ((k === 'secretRef' || k.endsWith('SecretRef')) && isRecord(x) && typeof x['name'] === 'string')
          out.add(x['name']);
        // a stack's inline compose document holds no Secret references
        if (k !== 'compose') walk(x, depth + 1);
      }
  };
  walk(spec, 0);
  return out;
}

/** Keys of the resources in `namespace` that reference Secret `name`. */
export function keysReferencingSecret(
  resources: Iterable<DesiredResource>,
  namespace: string,
  name: string,
): string[] {
  const out: string[] = [];
  for (const r of resources)
    if (r.namespace === namespace && referencedSecrets(r.spec).has(name)) out.push(r.key);
  return out.sort();
}

/** A Watch whose events carry Secret metadata only (the ListWatch cache keeps what it is given). */
class MetadataOnlyWatch extends Watch {
  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    return super.watch(
      path,
      queryParams,
      (phase, obj: unknown, w) => callback(phase, isRecord(obj) ? withoutData(obj as V1Secret) : obj, w),
      done,
    );
  }
}

export class KubeSecretResolver implements SecretResolver {
  readonly #opts: KubeSecretResolverOptions;
  readonly #api: CoreV1Api;
  readonly #log: Logger;
  #lw: ListWatch<V1Secret> | undefined;
  #onChange: SecretChange | undefined;
  #stopped = false;
  #synced = false;
  #attempts = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: KubeSecretResolverOptions) {
    this.#opts = opts;
    this.#api = opts.kubeConfig.makeApiClient(CoreV1Api);
    this.#log = opts.logger.child({ component: 'kube-secrets' });
  }

  async get(namespace: string, name: string, key: string): Promise<Buffer> {
    const s = await this.#read(namespace, name);
    const v = secretValue(s, key);
    if (v === undefined)
      throw skError(
        'RESOURCE_INVALID',
        `secret ${namespace}/${name} has no key "${key}" (its keys: ${Object.keys(s.data ?? {})
          .sort()
          .join(', ')})`,
      );
    return v;
  }

  async getAll(namespace: string, name: string): Promise<Record<string, Buffer>> {
    const s = await this.#read(namespace, name);
    const out: Record<string, Buffer> = {};
    for (const k of Object.keys(s.data ?? {})) out[k] = secretValue(s, k)!;
    return out;
  }

  async #read(namespace: string, name: string): Promise<V1Secret> {
    try {
      return await this.#api.readNamespacedSecret({ namespace, name });
    } catch (e) {
      // The client's error message carries the response body: only the HTTP code is kept.
      const code = httpCode(e);
      if (code === 404)
        throw skError('DEPENDENCY_NOT_READY', `secret ${namespace}/${name} not found`, {
          requeueAfterMs: this.#opts.notFoundRequeueMs ?? 30_000,
        });
      if (code === 403)
        throw skError(
          'DEPENDENCY_NOT_READY',
          `secret ${namespace}/${name}: reading it is forbidden (RBAC: swarmkeeper needs get on secrets)`,
          { requeueAfterMs: 60_000 },
        );
      throw skError(
        'INTERNAL',
        `secret ${namespace}/${name}: the Kubernetes API failed${code !== undefined ? ` (HTTP ${code})` : ''}`,
      );
    }
  }

  /**
   * Starts the Secret watch. `onChange` is called for every Secret added, changed or deleted after
   * the first list (which only fills the cache). Never throws: a failed list/watch is logged and
   * restarted with backoff.
   */
  async start(onChange: SecretChange): Promise<void> {
    this.#onChange = onChange;
    this.#stopped = false;
    const ns = this.#opts.namespace;
    const path = ns ? `/api/v1/namespaces/${ns}/secrets` : '/api/v1/secrets';
    const list = async (): Promise<KubernetesListObject<V1Secret>> => {
      const l = ns
        ? await this.#api.listNamespacedSecret({ namespace: ns })
        : await this.#api.listSecretForAllNamespaces();
      return { ...l, items: l.items.map(withoutData) } as KubernetesListObject<V1Secret>;
    };
    const lw = new ListWatch<V1Secret>(path, new MetadataOnlyWatch(this.#opts.kubeConfig), list, false);
    const changed = (s: V1Secret) => {
      const m = s.metadata;
      if (this.#synced && m?.namespace && m.name) this.#onChange?.(m.namespace, m.name);
    };
    lw.on('add', changed);
    lw.on('update', changed);
    lw.on('delete', changed);
    lw.on('error', (err) => this.#failed(err));
    this.#lw = lw;
    await this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#lw?.stop();
  }

  async #run(): Promise<void> {
    const lw = this.#lw;
    if (!lw || this.#stopped) return;
    let failed = false;
    const onError = () => (failed = true);
    lw.on('error', onError);
    await lw.start().catch((err: unknown) => {
      failed = true;
      this.#failed(err);
    });
    lw.off('error', onError);
    if (failed || this.#stopped) return;
    if (this.#attempts > 0) this.#log.info('secret watch recovered');
    this.#attempts = 0;
    this.#synced = true;
  }

  #failed(err: unknown): void {
    if (this.#stopped || this.#timer) return;
    const base = this.#opts.backoff?.baseMs ?? 200;
    const max = this.#opts.backoff?.maxMs ?? 10_000;
    const delay = Math.min(max, base * 2 ** Math.min(this.#attempts, 16));
    this.#attempts++;
    const code = httpCode(err);
    this.#log.warn(
      { ...(code !== undefined ? { code } : {}), retryInMs: delay },
      'secret list/watch failed; restarting it',
    );
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#run();
    }, delay);
    this.#timer.unref?.();
  }
}
