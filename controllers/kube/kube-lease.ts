import { CoordinationV1Api, type KubeConfig, type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { FIELD_MANAGER } from './cr-resource.js';
import {
  afterRenewFailure,
  candidateDelay,
  decide,
  type LeaseRecord,
  leaseTiming,
  parseApiTime,
} from './kube-lease-decision.js';

/** The calls of CoordinationV1Api the election makes (a test may hand an in-memory one). */
export interface LeaseApi {
  readNamespacedLease(p: { name: string; namespace: string }): Promise<V1Lease>;
  createNamespacedLease(p: { namespace: string; body: V1Lease; fieldManager?: string }): Promise<V1Lease>;
  replaceNamespacedLease(p: {
    name: string;
    namespace: string;
    body: V1Lease;
    fieldManager?: string;
  }): Promise<V1Lease>;
}

export interface KubeLeaseOptions {
  /** Where the Lease lives (or `api`). */
  kubeConfig?: KubeConfig;
  api?: LeaseApi;
  name: string;
  namespace: string;
  /** This replica's identity (hostname + pid + random). */
  holder: string;
  /** leaseDurationSeconds (rounded up to whole seconds); default 15 s. Renewed every third of it. */
  durationMs?: number;
  logger?: Logger;
  onAcquired?: () => void;
  onLost?: () => void;
  /** Clock (tests). */
  now?: () => number;
}

const code = (e: unknown): number | undefined => (e as { code?: number } | undefined)?.code;

/** An API error as one short line (the client's message carries the whole response body). */
function brief(e: unknown): string {
  const c = code(e);
  const msg = e instanceof Error ? e.message : String(e);
  return `${c ? `HTTP ${c}: ` : ''}${msg.split('\n')[0]!.slice(0, 200)}`;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/**
 * Leader election with a coordination.k8s.io/v1 Lease (the shape of client-go's leaderelection,
 * the same interface as RedisLease): a candidate creates the Lease when there is none (409: lost
 * the race) or takes it over when it is released or expired (a replace with the resourceVersion
 * it read; 409: lost the race). The leader renews every third of the duration; when it cannot
 * renew before two thirds of it have passed since its last renewal, it steps down, so it has
 * stopped before a candidate may take over. stop() releases the Lease (clears holderIdentity).
 * The decisions themselves are pure: kube-lease-decision.ts.
 */
export class KubeLease {
  readonly #opts: KubeLeaseOptions;
  readonly #api: LeaseApi;
  readonly #timing: ReturnType<typeof leaseTiming>;
  readonly #now: () => number;
  #leader = false;
  #stopped = true;
  #timer: NodeJS.Timeout | undefined;
  #deadline: NodeJS.Timeout | undefined;
  #current: Promise<void> = Promise.resolve();
  /** The Lease as last read or written: its resourceVersion makes every replace optimistic. */
  #record: V1Lease | undefined;
  #lastRenewMs = 0;
  #seenHolder: string | undefined;

  constructor(opts: KubeLeaseOptions) {
    this.#opts = opts;
    if (!opts.api && !opts.kubeConfig) throw new Error('KubeLease needs kubeConfig or api');
    this.#api = opts.api ?? (opts.kubeConfig!.makeApiClient(CoordinationV1Api) as unknown as LeaseApi);
    this.#timing = leaseTiming(opts.durationMs ?? 15_000);
    this.#now = opts.now ?? (() => Date.now());
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  get holder(): string {
    return this.#opts.holder;
  }

  get timing(): ReturnType<typeof leaseTiming> {
    return this.#timing;
  }

  /** Starts campaigning; resolves once the first attempt is done (isLeader tells its outcome). */
  start(): Promise<void> {
    if (!this.#stopped) return this.#current;
    this.#stopped = false;
    this.#current = this.#tick();
    return this.#current;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#deadline);
    await this.#current.catch(() => undefined);
    const rec = this.#record;
    if (rec?.spec?.holderIdentity === this.#opts.holder) {
      try {
        const body = this.#body(rec, { renewMs: this.#now(), release: true });
        this.#record = await withTimeout(
          this.#api.replaceNamespacedLease({ ...this.#ref(), body, fieldManager: FIELD_MANAGER }),
          this.#timing.renewEveryMs,
          'releasing the Lease',
        );
        this.#opts.logger?.info({ lease: this.#where() }, 'lease released');
      } catch (e) {
        // it lapses after its duration
        this.#opts.logger?.warn({ lease: this.#where(), err: brief(e) }, 'lease release failed');
      }
    }
    this.#setLeader(false);
  }

  #ref(): { name: string; namespace: string } {
    return { name: this.#opts.name, namespace: this.#opts.namespace };
  }

  #where(): string {
    return `${this.#opts.namespace}/${this.#opts.name}`;
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    let delay: number;
    try {
      delay = this.#leader ? await this.#renew() : await this.#campaign();
    } catch (e) {
      delay = this.#failed(e);
    }
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#current = this.#tick();
    }, delay);
    this.#timer.unref?.();
  }

  /** Not the leader: read the Lease and act on it. Returns the delay until the next attempt. */
  async #campaign(): Promise<number> {
    const started = this.#now();
    const cur = await this.#read();
    this.#record = cur;
    const action = decide(
      cur ? toRecord(cur) : undefined,
      this.#opts.holder,
      started,
      this.#timing.durationMs,
    );
    if (action.type === 'wait') {
      if (this.#seenHolder !== action.holder)
        this.#opts.logger?.info(
          { lease: this.#where(), holder: action.holder },
          'lease held by another replica',
        );
      this.#seenHolder = action.holder;
      return candidateDelay(action, this.#now(), this.#timing.retryMs);
    }
    try {
      if (action.type === 'create') {
        const body = this.#body(undefined, { renewMs: started, acquireMs: started, transitions: 0 });
        this.#record = await this.#call(
          this.#api.createNamespacedLease({
            namespace: this.#opts.namespace,
            body,
            fieldManager: FIELD_MANAGER,
          }),
          'creating the Lease',
        );
      } else {
        const fields =
          action.type === 'takeover'
            ? { renewMs: started, acquireMs: started, transitions: action.transitions }
            : { renewMs: started };
        this.#record = await this.#call(
          this.#api.replaceNamespacedLease({
            ...this.#ref(),
            body: this.#body(cur, fields),
            fieldManager: FIELD_MANAGER,
          }),
          'taking the Lease',
        );
      }
    } catch (e) {
      if (code(e) === 409) {
        // Another replica wrote the Lease between our read and our write: it won.
        this.#opts.logger?.debug({ lease: this.#where() }, 'lost the race for the lease');
        return 100;
      }
      throw e;
    }
    this.#won(started);
    return this.#timing.renewEveryMs;
  }

  /** The leader: write a new renewTime (optimistic on the resourceVersion of our last write). */
  async #renew(): Promise<number> {
    const started = this.#now();
    try {
      this.#record = await this.#call(
        this.#api.replaceNamespacedLease({
          ...this.#ref(),
          body: this.#body(this.#record, { renewMs: started }),
          fieldManager: FIELD_MANAGER,
        }),
        'renewing the Lease',
      );
    } catch (e) {
      if (code(e) !== 409 && code(e) !== 404) throw e;
      // Someone else wrote (or deleted) the Lease: read it and decide again.
      const cur = await this.#read();
      this.#record = cur;
      const action = decide(
        cur ? toRecord(cur) : undefined,
        this.#opts.holder,
        this.#now(),
        this.#timing.durationMs,
      );
      if (action.type === 'renew') return 0; // still ours (labels changed): renew with the new version
      this.#opts.logger?.warn(
        { lease: this.#where(), holder: cur?.spec?.holderIdentity ?? null },
        'lease taken over by another replica',
      );
      this.#setLeader(false);
      return action.type === 'wait' ? candidateDelay(action, this.#now(), this.#timing.retryMs) : 0;
    }
    this.#won(started);
    return this.#timing.renewEveryMs;
  }

  /** A write that made us the holder at `writtenMs` succeeded. */
  #won(writtenMs: number): void {
    // A renewal whose answer came after its own deadline protects too little: campaign again.
    if (this.#now() - writtenMs >= this.#timing.renewDeadlineMs) return;
    this.#lastRenewMs = writtenMs;
    this.#seenHolder = this.#opts.holder;
    clearTimeout(this.#deadline);
    this.#deadline = setTimeout(
      () => {
        if (!this.#leader || this.#stopped) return;
        this.#opts.logger?.warn(
          { lease: this.#where(), renewDeadlineMs: this.#timing.renewDeadlineMs },
          'lease not renewed before its deadline: stepping down',
        );
        this.#setLeader(false);
      },
      writtenMs + this.#timing.renewDeadlineMs - this.#now(),
    );
    this.#deadline.unref?.();
    this.#setLeader(true);
  }

  /** An attempt failed (API down, timeout): a leader retries until its renew deadline. */
  #failed(e: unknown): number {
    this.#opts.logger?.warn({ lease: this.#where(), err: brief(e) }, 'lease request failed');
    if (!this.#leader) return this.#timing.retryMs;
    const now = this.#now();
    if (afterRenewFailure(now, this.#lastRenewMs, this.#timing.renewDeadlineMs) === 'stepDown') {
      this.#setLeader(false);
      return this.#timing.retryMs;
    }
    const left = this.#lastRenewMs + this.#timing.renewDeadlineMs - now;
    return Math.max(50, Math.min(Math.floor(this.#timing.renewEveryMs / 3), left));
  }

  async #read(): Promise<V1Lease | undefined> {
    try {
      return await this.#call(this.#api.readNamespacedLease(this.#ref()), 'reading the Lease');
    } catch (e) {
      if (code(e) === 404) return undefined;
      throw e;
    }
  }

  #call<T>(p: Promise<T>, what: string): Promise<T> {
    return withTimeout(p, Math.max(1000, this.#timing.renewEveryMs), `${what} ${this.#where()}`);
  }

  #body(
    base: V1Lease | undefined,
    f: { renewMs: number; acquireMs?: number; transitions?: number; release?: boolean },
  ): V1Lease {
    const spec = { ...(base?.spec ?? {}) };
    if (f.release) delete spec.holderIdentity;
    else spec.holderIdentity = this.#opts.holder;
    spec.leaseDurationSeconds = this.#timing.durationSeconds;
    spec.renewTime = new V1MicroTime(f.renewMs);
    if (f.acquireMs !== undefined) spec.acquireTime = new V1MicroTime(f.acquireMs);
    if (f.transitions !== undefined) spec.leaseTransitions = f.transitions;
    const meta = base?.metadata;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.#opts.name,
        namespace: this.#opts.namespace,
        ...(meta?.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
        ...(meta?.labels ? { labels: meta.labels } : {}),
        ...(meta?.annotations ? { annotations: meta.annotations } : {}),
      },
      spec,
    };
  }

  #setLeader(v: boolean): void {
    if (this.#leader === v) return;
    this.#leader = v;
    if (!v) clearTimeout(this.#deadline);
    this.#opts.logger?.info(
      {
        lease: this.#where(),
        holder: this.#opts.holder,
        transitions: this.#record?.spec?.leaseTransitions ?? 0,
      },
      v ? 'became leader' : 'lost leadership',
    );
    (v ? this.#opts.onAcquired : this.#opts.onLost)?.();
  }
}

/** The election's view of a Lease read from the API. */
export function toRecord(l: V1Lease): LeaseRecord {
  const s = l.spec ?? {};
  return {
    holder: s.holderIdentity,
    durationMs: s.leaseDurationSeconds !== undefined ? s.leaseDurationSeconds * 1000 : undefined,
    renewTimeMs: parseApiTime(s.renewTime),
    acquireTimeMs: parseApiTime(s.acquireTime),
    transitions: s.leaseTransitions,
  };
}
