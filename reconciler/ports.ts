/**
 * Ports: the small interfaces behind which adapters live (the way BullMQ keeps its
 * datastore behind IQueueBackend). reconciler/ defines them; controllers/ implements them.
 */
import type { ObservedState, ObjectKind } from './model/objects.js';
import type { Action, Plan } from './plan/types.js';
import type { Platform } from './plan/image-pin.js';

export interface ObserveQuery {
  /** Only objects carrying this instance's ownership label, plus those named in `names`. */
  instanceId: string;
  /**
   * Narrows the owned objects to one resource (`kind/namespace/name`): a reconcile then lists
   * only its own objects, not everything the instance owns (which grows with every stack).
   */
  owner?: string;
  /** Names that matter even when unowned (to detect conflicts and adoption). */
  names?: Partial<Record<ObjectKind, string[]>>;
  /** Stack namespaces whose unowned objects are relevant (adoption). */
  stackNamespaces?: string[];
  /**
   * Lists services, configs and secrets by these name prefixes (with `names`), and networks by their
   * exact names (dockerd's name filter is no prefix match for swarm networks), instead of by stack
   * namespace label: dockerd answers a label filter by scanning every object of the kind (60-100 ms at
   * 10,000 services) and a name filter from its name index. A stack's unowned objects matter only
   * under a desired name or a config's or secret's logical name (adoption, conflicts), so the stack
   * namespace's `<namespace>_` and those logical names are the prefixes. Volumes as without.
   */
  namePrefixes?: string[];
  /**
   * With `namePrefixes`: the owner's objects are all named in `names` or under a prefix, so there is
   * no list by ownership label either. The caller vouches for the premise (reconciler/desired/observe-query.ts).
   */
  ownedByName?: boolean;
}

export interface ActionResult {
  action: Action;
  ok: boolean;
  /** Created or updated object id. */
  id?: string;
  error?: Error;
}

export interface ApplyProgress {
  (event: { action: Action; phase: 'start' | 'done' | 'failed'; error?: Error }): void;
}

/** The Swarm as the reconciler sees it. */
export interface SwarmPort {
  observe(query: ObserveQuery): Promise<ObservedState>;
  /** Executes a plan: dependency order between phases, bounded parallelism inside one. */
  apply(plan: Plan, opts?: { onProgress?: ApplyProgress; signal?: AbortSignal }): Promise<ActionResult[]>;
}

/** Reads files referenced by a stack (env_file, config/secret `file:`), relative to the stack file. */
export interface FileReader {
  readText(path: string): string;
  readBytes(path: string): Uint8Array;
}

/** Clock for pure code that needs time (tests supply a fixed one). */
export interface Clock {
  now(): Date;
}

/** What the Engine's distribution endpoint says about an image tag. */
export interface ResolvedImage {
  /** The manifest (or index) digest, `sha256:…`. */
  digest: string;
  /** Platforms of the manifest, as docker's client puts them into `Placement.Platforms`. */
  platforms: Platform[];
}

/**
 * Resolves image tags to digests (`docker stack deploy --resolve-image`): the Docker adapter asks
 * the Engine (`GET /distribution/{name}/json`) with the registry credentials it sends on writes.
 */
export interface ImageResolver {
  /** Rejects when the registry cannot be reached or refuses (the caller warns and keeps the tag). */
  resolveImage(image: string, signal?: AbortSignal): Promise<ResolvedImage>;
}
