import { posix } from 'node:path';

/** Resolves `rel` against the directory of `file`, like docker/cli does for paths in a compose file. */
export function resolveRelative(file: string, rel: string): string {
  if (rel.startsWith('/')) return posix.normalize(rel);
  return posix.join(posix.dirname(file), rel);
}
