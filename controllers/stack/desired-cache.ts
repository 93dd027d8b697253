/**
 * A per-process cache of each resource's desired state (`desiredFor`: zod, compose loading and
 * translation), so a no-op resync pass parses nothing for resources that did not change.
 *
 * An entry is keyed by the content of everything the computation read (reconciler/desired/
 * desired-key.ts): the resource and the settings that feed it, and every file it read through its
 * FileReader, hits and misses, recorded by a recording reader as it read them. A lookup replays
 * those reads in order against the files as they are now (through the same confined reader, with
 * the current size limits): any byte change, a file that appeared or vanished, or a read that is
 * now refused gives another key, and the state is computed again (and its reads recorded anew).
 *
 * - Bounded: one entry per resource key (a changed resource replaces its entry), at most
 *   `maxEntries` in least-recently-used order; the entry of a resource removed from its source is
 *   not looked up again and is the first evicted.
 * - Concurrency: a lookup or a fill runs synchronously, so concurrent reconciles of different keys
 *   (the queue serialises one key) never see a half-written entry.
 * - Secrets: an entry holds the desired state (which holds the resolved secret values anyway) and
 *   keyed digests of what was read, never the bytes of a file; nothing here is logged.
 * - Only successful computations are kept: a resource that fails is computed again next time.
 * - The state is shared between reconciles of the key: it is frozen, so a consumer that tried to
 *   change it would fail loudly rather than change what the next reconcile plans from.
 */
import { randomBytes } from 'node:crypto';
import {
  type DesiredInputs,
  desiredKey,
  type Digest,
  type FileRead,
  inputsKey,
  keyedDigest,
  readOutcome,
  recordingReader,
} from '../../reconciler/desired/desired-key.js';
import { desiredFor, type DesiredFor } from '../../reconciler/desired/desired-for.js';
import { allowedProcessEnv } from '../../reconciler/desired/stack-env.js';
import type { StackContext } from '../../reconciler/desired/stack.js';
import type { StampMemo, UnchangedMemo } from '../../reconciler/plan/types.js';
import type { FileReader } from '../../reconciler/ports.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';

interface Entry {
  base: string;
  reads: FileRead[];
  key: string;
  value: DesiredFor;
}

export interface DesiredCacheStats {
  hits: number;
  misses: number;
  entries: number;
}

export const DEFAULT_DESIRED_CACHE_ENTRIES = 10_000;

export class DesiredCache {
  /** The planner's stamped form of the cached (frozen) desired objects, for as long as they live. */
  readonly stamps: StampMemo = new WeakMap();
  /** The services the planner found unchanged, by their stamped objects (plan-services.ts). */
  readonly unchanged: UnchangedMemo = new WeakMap();
  readonly #entries = new Map<string, Entry>();
  readonly #digest: Digest;
  readonly #max: number;
  #hits = 0;
  #misses = 0;

  /** `digestKey`: the HMAC key of the digests (random per process unless a test gives one). */
  constructor(opts: { maxEntries?: number; digestKey?: Uint8Array } = {}) {
    this.#max = Math.max(1, opts.maxEntries ?? DEFAULT_DESIRED_CACHE_ENTRIES);
    this.#digest = keyedDigest(opts.digestKey ?? randomBytes(32));
  }

  stats(): DesiredCacheStats {
    return { hits: this.#hits, misses: this.#misses, entries: this.#entries.size };
  }

  /**
   * `desiredFor(res, ctx)` through the cache. `files` makes a fresh reader of the resource's
   * source root (one per lookup: its byte budget is per computation); `root` is that root, which
   * is not part of the key (see desired-key.ts): the same files in another folder are a hit.
   */
  desiredFor(
    res: DesiredResource,
    ctx: Omit<StackContext, 'files'>,
    source: { root: string; files: () => FileReader },
  ): DesiredFor {
    if (res.loadError) throw res.loadError; // what desiredFor throws: nothing to compute or keep
    const base = inputsKey(this.#inputs(res, ctx), this.#digest);
    const entry = this.#entries.get(res.key);
    if (entry && entry.base === base && this.#replay(entry, source.files())) {
      this.#entries.delete(res.key); // most recently used last
      this.#entries.set(res.key, entry);
      this.#hits++;
      return entry.value;
    }
    this.#misses++;
    this.#entries.delete(res.key);
    const rec = recordingReader(source.files().readBytes, this.#digest);
    const value = deepFreeze(desiredFor(res, { ...ctx, files: rec.files }));
    this.#entries.set(res.key, {
      base,
      reads: rec.reads,
      key: desiredKey(base, rec.reads, this.#digest),
      value,
    });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#max) break;
      this.#entries.delete(oldest);
    }
    return value;
  }

  /** Forgets a resource (tests; a caller that knows it is gone). */
  delete(key: string): void {
    this.#entries.delete(key);
  }

  #inputs(res: DesiredResource, ctx: Omit<StackContext, 'files'>): DesiredInputs {
    return {
      resource: res,
      instanceId: ctx.instanceId,
      secretHashKey: ctx.secretHashKey,
      processEnv: allowedProcessEnv(ctx.env, res.fromComposeFile === true),
      limits: ctx.limits ?? null,
      policy: ctx.policy ?? null,
      ...(ctx.bindRoot === undefined ? {} : { bindRoot: ctx.bindRoot }),
      ...(ctx.secrets ? { secrets: ctx.secrets } : {}),
    };
  }

  /** The entry's reads done again now, in order: the same outcomes give the same key. */
  #replay(entry: Entry, files: FileReader): boolean {
    // A recorded miss (a .env that is not there) fails again on every pass: its error's stack is
    // never looked at, and capturing it would cost more than the read. Synchronous: no other code
    // runs with the limit lowered.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      const now = entry.reads.map((r) => ({
        path: r.path,
        found: readOutcome((p) => files.readBytes(p), r.path, this.#digest),
      }));
      return desiredKey(entry.base, now, this.#digest) === entry.key;
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

/** Freezes a value and what it holds (primitives and null count as frozen; typed arrays cannot be). */
export function deepFreeze<T>(value: T): T {
  if (Object.isFrozen(value) || ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  for (const v of Object.values(value as object)) deepFreeze(v);
  return value;
}
