import { type SwarmkeeperError, skError } from '../../reconciler/errors.js';
import type { DesiredResource } from '../../reconciler/source/resource.js';
import type { SourceSnapshot } from '../ports.js';

export interface StoreChange {
  /** Keys whose desired state appeared or changed (reconcile them). */
  changed: string[];
  /** Keys no longer desired by any source (prune them). */
  removed: string[];
  /** Keys claimed by more than one source (reported, none applied). */
  conflicts: Map<string, SwarmkeeperError>;
}

export interface StoredResource {
  resource: DesiredResource;
  root: string;
  bindRoot?: string;
  /** The digest of the files it reads beyond its document (SourceSnapshot.inputs), when known. */
  inputs?: string;
}

/**
 * The resource and its inputs, as compared between snapshots: without the source's revision,
 * which changes with any file of the source (a commit that changes one stack changes no other).
 */
function identity(s: StoredResource): string {
  const r = s.resource;
  return JSON.stringify([
    { ...r, origin: { ...r.origin, revision: undefined } },
    s.inputs ?? null,
    s.bindRoot ?? null,
  ]);
}

/**
 * The desired resources of every source, merged. Two sources claiming one key is a conflict:
 * both are reported and neither wins. Pure in-memory state; each replica keeps its own copy.
 */
export class ResourceStore {
  readonly #bySource = new Map<string, SourceSnapshot>();
  #merged = new Map<string, StoredResource>();
  #conflicts = new Map<string, SwarmkeeperError>();
  #version = 0;

  /** Bumped by every update and removal: views built from the store are fresh while it holds. */
  get version(): number {
    return this.#version;
  }

  update(snapshot: SourceSnapshot): StoreChange {
    const prev = this.#bySource.get(snapshot.source);
    const failed = new Set(snapshot.failedFiles ?? []);
    const kept = (prev?.resources ?? []).filter(
      (r) => failed.has(r.origin.file) && !snapshot.resources.some((n) => n.key === r.key),
    );
    const inputs = new Map(snapshot.inputs ?? []);
    for (const r of kept) {
      const was = prev?.inputs?.get(r.key);
      if (was !== undefined) inputs.set(r.key, was);
    }
    this.#bySource.set(snapshot.source, {
      ...snapshot,
      resources: [...snapshot.resources, ...kept],
      ...(snapshot.inputs || kept.length > 0 ? { inputs } : {}),
    });
    return this.#remerge();
  }

  removeSource(source: string): StoreChange {
    this.#bySource.delete(source);
    return this.#remerge();
  }

  get(key: string): StoredResource | undefined {
    return this.#merged.get(key);
  }

  conflict(key: string): SwarmkeeperError | undefined {
    return this.#conflicts.get(key);
  }

  keys(): string[] {
    return [...this.#merged.keys(), ...this.#conflicts.keys()].sort();
  }

  snapshots(): SourceSnapshot[] {
    return [...this.#bySource.values()];
  }

  #remerge(): StoreChange {
    const claims = new Map<string, { snap: SourceSnapshot; res: DesiredResource }[]>();
    for (const snap of this.#bySource.values())
      for (const res of snap.resources) claims.set(res.key, [...(claims.get(res.key) ?? []), { snap, res }]);
    const merged = new Map<string, StoredResource>();
    const conflicts = new Map<string, SwarmkeeperError>();
    for (const [key, cs] of claims) {
      if (cs.length === 1) {
        const { root, bindRoot, inputs } = cs[0]!.snap;
        const digest = inputs?.get(key);
        merged.set(key, {
          resource: cs[0]!.res,
          root,
          ...(bindRoot === undefined ? {} : { bindRoot }),
          ...(digest === undefined ? {} : { inputs: digest }),
        });
      } else
        conflicts.set(
          key,
          skError(
            'SOURCE_CONFLICT',
            `${key} is claimed by more than one source: ${cs.map((c) => `${c.snap.source}:${c.res.origin.file}`).join(', ')}; neither is applied`,
          ),
        );
    }
    const changed: string[] = [];
    for (const [key, s] of merged) {
      const prev = this.#merged.get(key);
      if (!prev || identity(prev) !== identity(s)) changed.push(key);
    }
    for (const key of conflicts.keys()) if (!this.#conflicts.has(key)) changed.push(key);
    const removed = [...this.#merged.keys(), ...this.#conflicts.keys()].filter(
      (k) => !merged.has(k) && !conflicts.has(k),
    );
    this.#merged = merged;
    this.#conflicts = conflicts;
    this.#version++;
    return { changed: changed.sort(), removed: [...new Set(removed)].sort(), conflicts };
  }
}
