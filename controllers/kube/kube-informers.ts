import { CustomObjectsApi, type KubeConfig, ListWatch, Watch } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KindName } from '../../reconciler/api/index.js';
import { backoffDelay } from '../../reconciler/units/backoff.js';
import { type CustomObject, kindRef, listCustomObjects } from './cr-resource.js';

export interface KubeInformersOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  kinds: readonly KindName[];
  /** Watch one namespace only (default: all namespaces). */
  namespace?: string;
  /** Restart delays of a failed list/watch (exponential, capped). */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Any add/update/delete, once every kind has listed. */
  onChange: () => void;
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
 * One run of the informers: a ListWatch (list + watch) per kind, started once and stopped once
 * (a new leadership term makes a new set). client-node's ListWatch relists by itself on 410 Gone
 * but stops on any other error: it is restarted here with backoff. Errors after stop() (the
 * AbortError of the aborted watch) are expected and ignored.
 */
export class KubeInformers {
  readonly #opts: KubeInformersOptions;
  readonly #log: Logger;
  readonly #api: CustomObjectsApi;
  readonly #informers = new Map<KindName, InformerState>();
  readonly #inflight = new Set<Promise<void>>();
  #started = false;
  #stopped = false;
  #listed = false;
  #generation = 0;
  #onStopped!: () => void;
  readonly #stoppedP = new Promise<void>((resolve) => (this.#onStopped = resolve));

  constructor(opts: KubeInformersOptions) {
    this.#opts = opts;
    this.#log = opts.logger;
    this.#api = opts.kubeConfig.makeApiClient(CustomObjectsApi);
    const watch = new Watch(opts.kubeConfig);
    for (const kind of opts.kinds) {
      const lw = new ListWatch<CustomObject>(
        watchPath(kind, opts.namespace),
        watch,
        () => listCustomObjects(this.#api, kind, this.#opts.namespace),
        false,
      );
      let onSynced!: () => void;
      const syncedOnce = new Promise<void>((resolve) => (onSynced = resolve));
      const st: InformerState = { kind, lw, attempts: 0, errors: 0, synced: false, onSynced, syncedOnce };
      const changed = () => {
        this.#generation++;
        if (this.#listed && !this.#stopped) opts.onChange();
      };
      lw.on('add', changed);
      lw.on('update', changed);
      lw.on('delete', changed);
      lw.on('error', (err) => this.#failed(st, err));
      this.#informers.set(kind, st);
    }
  }

  /** True once every informer has listed (and after each recovery, until the next error). */
  get synced(): boolean {
    return !this.#stopped && [...this.#informers.values()].every((s) => s.synced);
  }

  /** Every kind has listed at least once: the cache holds the whole picture (maybe lagging). */
  get listed(): boolean {
    return this.#listed && !this.#stopped;
  }

  /**
   * Bumped by every add, update and delete in the cache (a relist's too), listed or not: what is
   * built from objects() holds while it is unchanged.
   */
  get generation(): number {
    return this.#generation;
  }

  /** ListWatches running (or restarting after an error): one per kind between start and stop. */
  get running(): number {
    return this.#started && !this.#stopped ? this.#informers.size : 0;
  }

  /** Starts every informer; resolves true once all have listed, false when stopped first. */
  async start(): Promise<boolean> {
    if (this.#started) throw new Error('KubeInformers can be started once');
    this.#started = true;
    for (const st of this.#informers.values()) this.#track(this.#run(st));
    const all = Promise.all([...this.#informers.values()].map((st) => st.syncedOnce)).then(() => true);
    const ok = await Promise.race([all, this.#stoppedP.then(() => false)]);
    if (ok && !this.#stopped) this.#listed = true;
    return ok && !this.#stopped;
  }

  /** Aborts every list/watch; resolves once none is left running. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#onStopped();
    for (const st of this.#informers.values()) {
      clearTimeout(st.timer);
      st.timer = undefined;
      st.synced = false;
      await st.lw.stop();
    }
    // A list in flight goes on to open its watch after stop(): #run aborts it when it returns.
    await Promise.allSettled([...this.#inflight]);
  }

  object(kind: KindName, namespace: string, name: string): CustomObject | undefined {
    return this.#informers.get(kind)?.lw.get(name, namespace);
  }

  /** Every cached object with its kind. */
  *objects(): Generator<{ kind: KindName; obj: CustomObject }> {
    for (const st of this.#informers.values()) for (const obj of st.lw.list()) yield { kind: st.kind, obj };
  }

  #track(p: Promise<void>): void {
    this.#inflight.add(p);
    void p.finally(() => this.#inflight.delete(p));
  }

  /** One (re)start of an informer: list, then watch. Errors arrive through #failed. */
  async #run(st: InformerState): Promise<void> {
    if (this.#stopped) return;
    const before = st.errors;
    await st.lw.start().catch((err: unknown) => this.#failed(st, err));
    if (this.#stopped) {
      await st.lw.stop();
      return;
    }
    if (st.errors !== before) return;
    if (st.attempts > 0) this.#log.info({ kind: st.kind }, 'informer recovered');
    st.attempts = 0;
    st.synced = true;
    st.onSynced();
  }

  #failed(st: InformerState, err: unknown): void {
    st.errors++;
    st.synced = false;
    if (this.#stopped) return; // the AbortError of stop()
    if (st.timer) return; // a restart is already scheduled
    const delay = backoffDelay(st.attempts + 1, {
      baseMs: this.#opts.backoff?.baseMs ?? 200,
      maxMs: this.#opts.backoff?.maxMs ?? 10_000,
    });
    st.attempts++;
    this.#log.warn({ kind: st.kind, err, retryInMs: delay }, 'list/watch failed; restarting the informer');
    st.timer = setTimeout(() => {
      st.timer = undefined;
      this.#track(this.#run(st));
    }, delay);
    st.timer.unref?.();
  }
}
