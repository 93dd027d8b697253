import { posix } from 'node:path';
import { isMap, type Tree } from './merge-service.js';

/**
 * `rel` written in `from` (a path relative to its folder), as a path relative to the folder of
 * `to`: a service or a resource taken from another file keeps pointing at the same files.
 */
export function rebasePath(rel: string, from: string, to: string): string {
  if (rel.startsWith('/') || rel.startsWith('~')) return rel;
  const abs = posix.join(posix.dirname(from), rel);
  const out = posix.relative(posix.dirname(to), abs) || '.';
  return out.startsWith('.') ? out : `./${out}`;
}

/** A short-syntax volume's source is a path when it starts with `.`, `/` or `~`. */
function rebaseShortVolume(v: string, from: string, to: string): string {
  const colon = v.indexOf(':');
  if (colon <= 0 || !v.startsWith('.')) return v;
  return `${rebasePath(v.slice(0, colon), from, to)}${v.slice(colon)}`;
}

/** The relative paths of a service (env_file, bind sources) written in `from`, for `to`. */
export function rebaseService(svc: Tree, from: string, to: string): Tree {
  if (posix.dirname(from) === posix.dirname(to)) return svc;
  const out: Tree = { ...svc };
  const envFile = svc['env_file'];
  if (typeof envFile === 'string') out['env_file'] = rebasePath(envFile, from, to);
  else if (Array.isArray(envFile))
    out['env_file'] = envFile.map((f) => (typeof f === 'string' ? rebasePath(f, from, to) : f));
  if (Array.isArray(svc['volumes']))
    out['volumes'] = svc['volumes'].map((v) => {
      if (typeof v === 'string') return rebaseShortVolume(v, from, to);
      if (isMap(v) && v['type'] === 'bind' && typeof v['source'] === 'string')
        return { ...v, source: rebasePath(v['source'], from, to) };
      return v;
    });
  return out;
}

/** Top-level configs and secrets with `file:` written in `from`, for `to`. */
export function rebaseFiles(objects: unknown, from: string, to: string): unknown {
  if (!isMap(objects) || posix.dirname(from) === posix.dirname(to)) return objects;
  const out: Tree = {};
  for (const [name, o] of Object.entries(objects))
    out[name] =
      isMap(o) && typeof o['file'] === 'string' ? { ...o, file: rebasePath(o['file'], from, to) } : o;
  return out;
}
