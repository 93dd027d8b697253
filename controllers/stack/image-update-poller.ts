/**
 * The registry side of the image update policies (reconciler/plan/image-update.ts): each reconcile
 * of a stack tells which images its services follow (`watch`); every interval (`run
 * --image-update-interval`) the poller asks the registry about each distinct one (the digest behind a
 * tag through the Engine, the tags of a repository through the registry's API) and enqueues the
 * stacks whose facts changed. The reconcile then decides from the facts (`factsOf`), purely.
 *
 * A registry that cannot be read changes nothing: the last facts are kept and the stacks that
 * follow it carry a warning in status until it answers again. The facts, the warnings and the
 * rolled-back images live in this process: a restart polls again (and forgets rollbacks).
 */
import type { Logger } from 'pino';
import type { ImageUpdatePolicy } from '../../reconciler/model/objects.js';
import { taggedName } from '../../reconciler/plan/image-pin.js';
import { type RegistryFacts, repositoryOf } from '../../reconciler/plan/image-update.js';
import type { ImageResolver, RegistryTags } from '../ports.js';

/** One service image a stack follows, as written, with its policy. */
export interface ImageWatch {
  image: string;
  policy: ImageUpdatePolicy;
}

/** What a stack reconcile reads and tells (the poller, or a stand-in in tests). */
export interface ImageUpdates {
  /** The images a stack follows now (none: it follows nothing any more). */
  watch(key: string, watches: readonly ImageWatch[]): void;
  /** The last poll's facts of an image under a policy (undefined: not polled yet). */
  factsOf(image: string, policy: ImageUpdatePolicy): RegistryFacts | undefined;
  /** Warnings for the images that could not be polled the last time. */
  warningsOf(watches: readonly ImageWatch[]): string[];
  /** References Swarm rolled back (`name:tag@digest`, `name:tag`): not sent again until the tag moves. */
  rejected(): ReadonlySet<string>;
  /** A change applied to a service: rejected if Swarm rolls the service back. */
  sent(service: string, ref: string): void;
  /** Swarm rolled the service back: the last change sent to it is not sent again. */
  rolledBack(service: string): void;
}

export interface ImageUpdatePollerOptions {
  /** The digest behind a tag (the Engine's distribution endpoint). */
  resolver: ImageResolver;
  /** The tags of a repository (the registry's API); absent: semver policies are not polled. */
  tags?: RegistryTags;
  intervalMs: number;
  enqueue: (key: string) => Promise<unknown>;
  logger: Logger;
  /**
   * pollNow asks again after these delays while the answer is an error or what it was before: a
   * registry may notify a push before it serves the new tag (default 1 s, 3 s, 10 s).
   */
  pollNowRetryMs?: readonly number[];
  /** Polls counted by policy and result (ok, unreachable). */
  onPoll?: (policy: 'digest' | 'semver', result: 'ok' | 'unreachable') => void;
}

/** The facts key of an image under a policy: a tag's digest, or a repository's tags. */
export function factKey(image: string, policy: ImageUpdatePolicy): string | undefined {
  if (policy.kind === 'digest') {
    const t = taggedName(image);
    return t === undefined ? undefined : `digest ${t}`;
  }
  if (policy.kind === 'semver') {
    const r = repositoryOf(image);
    return r === undefined ? undefined : `tags ${r}`;
  }
  return undefined;
}

/** The status warning of an image the last poll could not read. */
export function pollWarning(image: string, policy: ImageUpdatePolicy): string {
  return policy.kind === 'semver'
    ? `image update (semver ${policy.range}): the tags of ${repositoryOf(image) ?? image} could not be listed; ${image} is kept`
    : `image update (digest): the digest of ${image} could not be read from its registry; the running digest is kept`;
}

const sameFacts = (a: RegistryFacts | undefined, b: RegistryFacts): boolean =>
  JSON.stringify(a ?? null) === JSON.stringify(b);

export class ImageUpdatePoller implements ImageUpdates {
  readonly #o: ImageUpdatePollerOptions;
  readonly #watches = new Map<string, readonly ImageWatch[]>();
  readonly #facts = new Map<string, RegistryFacts>();
  readonly #failed = new Set<string>();
  readonly #rejected = new Set<string>();
  readonly #sent = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  /** Stacks that follow an image not polled yet: enqueued once it has been. */
  readonly #waiting = new Set<string>();
  readonly #abort = new AbortController();
  /** Polls are numbered as they start: an answer older than the one kept is dropped. */
  #seq = 0;
  readonly #appliedSeq = new Map<string, number>();
  /** pollNow calls still running (stop waits for them too). */
  readonly #now = new Set<Promise<void>>();

  constructor(opts: ImageUpdatePollerOptions) {
    this.#o = opts;
  }

  watch(key: string, watches: readonly ImageWatch[]): void {
    const before = this.#watches.get(key);
    if (watches.length === 0) {
      this.#watches.delete(key);
      this.#waiting.delete(key);
    } else this.#watches.set(key, watches);
    // an image not polled yet is asked about at once (a new stack needs not wait an interval)
    // (the stack is enqueued once they are known, even when another stack's poll found them)
    if (watches.some((w) => !this.#known(w))) {
      this.#waiting.add(key);
      if (JSON.stringify(before) !== JSON.stringify(watches)) void this.poll();
    }
  }

  #known(w: ImageWatch): boolean {
    const k = factKey(w.image, w.policy);
    return k === undefined || this.#facts.has(k) || this.#failed.has(k);
  }

  factsOf(image: string, policy: ImageUpdatePolicy): RegistryFacts | undefined {
    const k = factKey(image, policy);
    return k === undefined ? undefined : this.#facts.get(k);
  }

  warningsOf(watches: readonly ImageWatch[]): string[] {
    return watches
      .filter((w) => this.#failed.has(factKey(w.image, w.policy) ?? ''))
      .map((w) => pollWarning(w.image, w.policy));
  }

  rejected(): ReadonlySet<string> {
    return this.#rejected;
  }

  sent(service: string, ref: string): void {
    this.#sent.set(service, ref);
  }

  rolledBack(service: string): void {
    const ref = this.#sent.get(service);
    if (ref === undefined) return;
    this.#sent.delete(service);
    this.#o.logger.warn({ service, image: ref }, 'image update rolled back: not retried until the tag moves');
    this.#rejected.add(ref);
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.poll(), this.#o.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#abort.abort();
    await Promise.all([this.#running, ...this.#now].map((p) => p?.catch(() => undefined)));
  }

  /**
   * One pass over every image followed, one at a time. While a pass runs, a call joins it and
   * another pass follows it (for what was followed meanwhile).
   */
  poll(): Promise<void> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#pass();
      } while (this.#again && !this.#abort.signal.aborted);
    })().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /**
   * Polls at once only the followed images `select` picks (a registry's push notification, POST
   * /hooks/registry), beside any pass running, and enqueues the stacks whose facts changed.
   * `images` is what is polled (one image per fact); `done` settles once they were.
   */
  pollNow(select: (w: ImageWatch) => boolean): { images: string[]; done: Promise<void> } {
    const byFact = this.#byFact(select);
    const before = new Map([...byFact.keys()].map((k) => [k, JSON.stringify(this.#facts.get(k) ?? null)]));
    const moved = (k: string): boolean =>
      !this.#failed.has(k) && JSON.stringify(this.#facts.get(k) ?? null) !== before.get(k);
    const done = (async () => {
      let todo = [...byFact.keys()];
      for (const delay of [0, ...(this.#o.pollNowRetryMs ?? [1000, 3000, 10_000])]) {
        if (todo.length === 0 || !(await this.#sleep(delay))) return;
        const changed = new Set<string>();
        for (const k of todo) {
          if (this.#abort.signal.aborted) return;
          const { watch, keys } = byFact.get(k)!;
          if (await this.#pollOne(k, watch)) for (const key of keys) changed.add(key);
        }
        for (const key of changed) await this.#o.enqueue(key);
        todo = todo.filter((k) => !moved(k));
      }
    })();
    this.#now.add(done);
    void done.finally(() => this.#now.delete(done)).catch(() => undefined);
    return { images: [...byFact.values()].map((e) => e.watch.image), done };
  }

  /** False when stopped meanwhile. */
  #sleep(ms: number): Promise<boolean> {
    if (ms <= 0) return Promise.resolve(!this.#abort.signal.aborted);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.#abort.signal.removeEventListener('abort', done);
        resolve(!this.#abort.signal.aborted);
      };
      const t = setTimeout(done, ms);
      this.#abort.signal.addEventListener('abort', done);
    });
  }

  #byFact(select: (w: ImageWatch) => boolean = () => true) {
    const byFact = new Map<string, { watch: ImageWatch; keys: Set<string> }>();
    for (const [key, watches] of this.#watches)
      for (const w of watches) {
        const k = factKey(w.image, w.policy);
        if (k === undefined || !select(w)) continue;
        const e = byFact.get(k) ?? { watch: w, keys: new Set<string>() };
        e.keys.add(key);
        byFact.set(k, e);
      }
    return byFact;
  }

  async #pass(): Promise<void> {
    const byFact = this.#byFact();
    const changed = new Set<string>();
    for (const [k, { watch, keys }] of byFact) {
      if (this.#abort.signal.aborted) return;
      const moved = await this.#pollOne(k, watch);
      if (moved) for (const key of keys) changed.add(key);
    }
    for (const key of this.#waiting)
      if ((this.#watches.get(key) ?? []).every((w) => this.#known(w))) {
        this.#waiting.delete(key);
        changed.add(key);
      }
    for (const key of changed) await this.#o.enqueue(key);
  }

  /** True when the facts, or whether they could be read, changed. */
  async #pollOne(k: string, w: ImageWatch): Promise<boolean> {
    const kind = w.policy.kind === 'semver' ? 'semver' : 'digest';
    const seq = ++this.#seq;
    // a pass's answer asked before a push must not overwrite the answer of a poll the push started
    const stale = (): boolean => (this.#appliedSeq.get(k) ?? 0) > seq;
    let facts: RegistryFacts;
    try {
      if (w.policy.kind === 'semver') {
        if (!this.#o.tags) return false;
        const repo = repositoryOf(w.image) ?? w.image;
        facts = { tags: [...(await this.#o.tags.listTags(repo, this.#abort.signal))].sort() };
      } else {
        const r = await this.#o.resolver.resolveImage(taggedName(w.image) ?? w.image, this.#abort.signal);
        facts = { resolution: { ok: true, digest: r.digest, platforms: r.platforms } };
      }
    } catch (e) {
      if (this.#abort.signal.aborted) return false;
      this.#o.onPoll?.(kind, 'unreachable');
      if (stale()) return false;
      this.#appliedSeq.set(k, seq);
      if (this.#failed.has(k)) return false;
      this.#failed.add(k);
      this.#o.logger.warn({ err: e as Error, image: w.image }, 'image update: registry not reachable');
      return true;
    }
    this.#o.onPoll?.(kind, 'ok');
    if (stale()) return false;
    this.#appliedSeq.set(k, seq);
    const recovered = this.#failed.delete(k);
    if (sameFacts(this.#facts.get(k), facts)) return recovered;
    this.#facts.set(k, facts);
    return true;
  }
}
