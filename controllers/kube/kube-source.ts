import { createHash } from 'node:crypto';
import {
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  ListWatch,
  Watch,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { KIND_NAMES, type KindName } from '../../reconciler/api/index.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import type { SourceSnapshot } from '../runtime/resource-store.js';
import type { Source } from '../sources/source.js';
import {
  type CustomObject,
  KUBE_SOURCE_NAME,
  kindRef,
  parseCrKey,
  toDesiredResource,
} from './cr-resource.js';

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
}

interface InformerState {
  kind: KindName;
  lw: ListWatch<CustomObject>;
  attempts: number;
  errors: number;
  timer?: NodeJS.Timeout;
  synced: boolean;
  onSynced: () => void;
  syncedOnce: Promise<void>;
}

/** Where informers find the custom objects: every namespace, or one. */
function watchPath(kind: KindName, namespace: string | undefined): string {
  const r = kindRef(kind);
  const ns = namespace ? `/namespaces/${namespace}` : '';
  return `/apis/${r.group}/${r.version}${ns}/${r.plural}`;
}

/**
 * Desired state from swarmkeeper.io custom resources: one informer (list + watch) per kind.
 * Every add/update/delete emits a full snapshot of the cached objects as DesiredResources; the
 * ResourceStore's comparison is the GenerationChangedPredicate, since status, resourceVersion and
 * managedFields are not part of a DesiredResource. client-node's ListWatch relists by itself on
 * 410 Gone but stops on any other error: it is restarted here with backoff.
 */
export class KubeSource implements Source {
  readonly name = KUBE_SOURCE_NAME;
  readonly #opts: KubeSourceOptions;
  readonly #log: Logger;
  readonly #api: CustomObjectsApi;
  readonly #informers = new Map<KindName, InformerState>();
  #emit: ((s: SourceSnapshot) => void) | undefined;
  #stopped = false;
  #pending = false;

  constructor(opts: KubeSourceOptions) {
    this.#opts = opts;
    this.#log = opts.logger.child({ source: KUBE_SOURCE_NAME });
    this.#api = opts.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  get root(): string {
    return this.#opts.root ?? '/nonexistent/swarmkeeper-kubernetes-resources';
  }

  /** True once every informer has listed (and after each recovery, until the next error). */
  get synced(): boolean {
    return [...this.#informers.values()].every((s) => s.synced);
  }

  async start(emit: (snapshot: SourceSnapshot) => void): Promise<void> {
    this.#stopped = false;
    const watch = new Watch(this.#opts.kubeConfig);
    for (const kind of this.#opts.kinds ?? KIND_NAMES) {
      const lw = new ListWatch<CustomObject>(
        watchPath(kind, this.#opts.namespace),
        watch,
        () => this.#list(kind),
        false,
      );
      let onSynced!: () => void;
      const syncedOnce = new Promise<void>((resolve) => (onSynced = resolve));
      const st: InformerState = { kind, lw, attempts: 0, errors: 0, synced: false, onSynced, syncedOnce };
      const changed = () => this.#schedule();
      lw.on('add', changed);
      lw.on('update', changed);
      lw.on('delete', changed);
      lw.on('error', (err) => this.#failed(st, err));
      this.#informers.set(kind, st);
    }
    await Promise.all([...this.#informers.values()].map((st) => this.#run(st)));
    await Promise.all([...this.#informers.values()].map((st) => st.syncedOnce));
    this.#emit = emit;
    emit(this.snapshot());
  }

  async sync(): Promise<void> {
    this.#emit?.(this.snapshot());
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#emit = undefined;
    for (const st of this.#informers.values()) {
      clearTimeout(st.timer);
      // Aborting the watch raises an AbortError through the error callback: ignored once stopped.
      await st.lw.stop();
    }
  }

  /** The cached object of a `Kind/namespace/name` key. */
  object(key: string): CustomObject | undefined {
    const k = parseCrKey(key);
    if (!k) return undefined;
    return this.#informers.get(k.ref.kind)?.lw.get(k.name, k.namespace);
  }

  /** Every cached custom object, as the desired resources of one snapshot. */
  snapshot(): SourceSnapshot {
    const resources: DesiredResource[] = [];
    for (const st of this.#informers.values())
      for (const obj of st.lw.list()) {
        const r = toDesiredResource({ ...obj, kind: obj.kind ?? st.kind });
        if (r) resources.push(r);
      }
    resources.sort((a, b) => a.key.localeCompare(b.key));
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

  async #list(kind: KindName): Promise<KubernetesListObject<CustomObject>> {
    const r = kindRef(kind);
    const ns = this.#opts.namespace;
    const list: unknown = ns
      ? await this.#api.listNamespacedCustomObject({ ...r, namespace: ns })
      : await this.#api.listClusterCustomObject(r);
    return list as KubernetesListObject<CustomObject>;
  }

  /** One (re)start of an informer: list, then watch. Errors arrive through #failed. */
  async #run(st: InformerState): Promise<void> {
    if (this.#stopped) return;
    const before = st.errors;
    await st.lw.start().catch((err: unknown) => this.#failed(st, err));
    if (st.errors !== before || this.#stopped) return;
    if (st.attempts > 0) this.#log.info({ kind: st.kind }, 'informer recovered');
    st.attempts = 0;
    st.synced = true;
    st.onSynced();
  }

  #failed(st: InformerState, err: unknown): void {
    st.errors++;
    st.synced = false;
    if (this.#stopped) return;
    if (st.timer) return; // a restart is already scheduled
    const base = this.#opts.backoff?.baseMs ?? 200;
    const max = this.#opts.backoff?.maxMs ?? 10_000;
    const delay = Math.min(max, base * 2 ** Math.min(st.attempts, 16));
    st.attempts++;
    this.#log.warn(
      { kind: st.kind, err: (err as Error | undefined)?.message ?? String(err), retryInMs: delay },
      'list/watch failed; restarting the informer',
    );
    st.timer = setTimeout(() => {
      st.timer = undefined;
      void this.#run(st);
    }, delay);
    st.timer.unref?.();
  }

  /** Coalesces the events of one tick (a relist fires one per object) into one snapshot. */
  #schedule(): void {
    if (this.#pending || !this.#emit) return;
    this.#pending = true;
    setImmediate(() => {
      this.#pending = false;
      if (!this.#stopped) this.#emit?.(this.snapshot());
    });
  }
}
