import { posix } from 'node:path';
import type { DesiredResource } from '../source/resource.js';
import { type ComposeRefs, rawComposeRefs, resolveRefs } from './compose-refs.js';

/** A path a stack names, relative to the source root: its folder joined, an absolute path as is. */
export function joinPath(dir: string, file: string): string {
  if (file.startsWith('/') || dir === '.' || dir === '') return file;
  return `${dir}/${file}`;
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** The compose files a SwarmStack names (composeFile or composeFiles), relative to the source root. */
export function stackComposeFiles(res: DesiredResource): string[] {
  if (res.kind !== 'SwarmStack') return [];
  const spec = res.spec;
  const compose =
    typeof spec['composeFile'] === 'string' ? [spec['composeFile']] : strings(spec['composeFiles']);
  return compose.map((f) => posix.normalize(joinPath(res.baseDir, f)));
}

/**
 * The files a SwarmStack reads besides its own YAML, relative to the source root: its compose
 * files, the `.env` beside the first, and its env files. A source's revision covers their content,
 * so an edit to any of them alone is a new revision (and a reconcile).
 */
export function stackInputFiles(res: DesiredResource): string[] {
  if (res.kind !== 'SwarmStack') return [];
  const paths = stackComposeFiles(res);
  const first = paths[0];
  if (first !== undefined) paths.push(posix.join(posix.dirname(first), '.env'));
  for (const f of strings(res.spec['envFiles'])) paths.push(joinPath(res.baseDir, f));
  return [...new Set(paths.map((p) => posix.normalize(p)))];
}

/**
 * A compose file a SwarmStack of the same source names (composeFile, composeFiles) is that stack's
 * input, not a stack of its own: a folder may then hold `base.yml`, `prod.yml` and the SwarmStack
 * that merges them. Returns the resources left and one note per file claimed. `references` is
 * composeReferences (a caller may give a memo of it).
 */
export function dropClaimedComposeFiles(
  resources: readonly DesiredResource[],
  references: (res: DesiredResource) => string[] = composeReferences,
): {
  resources: DesiredResource[];
  claimed: string[];
} {
  const claimedBy = new Map<string, string>();
  for (const r of resources) {
    const refs = r.fromComposeFile ? references(r) : stackInputFiles(r);
    for (const f of refs)
      if (!claimedBy.has(f) && f !== posix.normalize(r.origin.file)) claimedBy.set(f, r.key);
  }
  const claimed: string[] = [];
  const kept = resources.filter((r) => {
    const by = r.fromComposeFile ? claimedBy.get(posix.normalize(r.origin.file)) : undefined;
    if (by !== undefined) claimed.push(`${r.origin.file}: a compose file of ${by}, not a stack of its own`);
    return by === undefined;
  });
  return { resources: kept, claimed };
}

/**
 * The compose files a plain compose file names itself (top-level `include`, `extends.file`),
 * relative to the source root; paths with variables are left out (they are known only once
 * interpolated). A file that does not parse names none. `readRefs`: rawComposeRefs, or a memo of it.
 */
export function composeReferences(
  res: DesiredResource,
  readRefs: (text: string) => ComposeRefs = rawComposeRefs,
): string[] {
  if (res.text === undefined) return [];
  return resolveRefs(readRefs(res.text).compose, [posix.dirname(res.origin.file)]);
}
