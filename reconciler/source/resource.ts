import type { SwarmkeeperError } from '../errors.js';

/** A desired resource as it arrives from a source (a directory, git, or the Kubernetes API). */
export interface ResourceOrigin {
  /** File the resource came from (relative to the source root when known). */
  file: string;
  line?: number;
  /** Source name, e.g. `dir:examples` or `git:infra`. */
  source?: string;
  /** Revision of the source (git commit SHA, or a content hash for directories). */
  revision?: string;
}

export interface DesiredResource {
  /** `kind/namespace/name`: the work-queue key and the owner label value. */
  key: string;
  kind: string;
  namespace: string;
  name: string;
  generation?: number;
  spec: Record<string, unknown>;
  origin: ResourceOrigin;
  /** Directory against which relative paths in the spec resolve (composeFile, env_file, config files). */
  baseDir: string;
  /** Set for resources synthesised from a plain compose file. */
  fromComposeFile?: boolean;
  /**
   * The compose file's text as the source read it (a plain compose file): the reconcile builds from
   * this snapshot, never from what the file holds later.
   */
  text?: string;
  /**
   * The file of this resource failed to load (a compose file that does not parse, a refused link,
   * bad bytes): the reconcile reports this error and changes nothing of the resource.
   */
  loadError?: SwarmkeeperError;
  /** The whole custom-resource document, for per-kind validation. */
  document?: Record<string, unknown>;
}

export function resourceKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}
