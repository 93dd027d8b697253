import { formatPath, type LineLookup, type Location, type Origins, type PathSegment } from './problems.js';
import { isMap, type MergeCtx, SERVICE_RULES, type Tree } from './merge-service.js';

/** A `!reset` or `!override` YAML tag, by the formatted path of the value it is on. */
export type MergeTag = 'reset' | 'override';

/** One compose file of a stack, parsed and interpolated (x-* fields dropped), not yet validated. */
export interface ComposeLayer {
  file: string;
  value: unknown;
  lineOf: LineLookup;
  /** Values tagged `!reset` (removed from what the files before set) or `!override` (replace it). */
  tags?: ReadonlyMap<string, MergeTag>;
  /** Values of this layer written in another file (`extends`). */
  origins?: Origins;
}

export interface MergedLayers {
  value: unknown;
  /** The file that last wrote a path of the merged tree, and its line there. */
  locate(path: readonly PathSegment[]): Location;
}

/** Top-level objects one file replaces whole, by name (docker merges them with mergo.Map). */
const NAMED = new Set(['networks', 'volumes', 'secrets', 'configs']);

const DELETE = Symbol('delete');

/**
 * Merges compose files the way `docker stack deploy -c a.yml -c b.yml` does: each file is
 * interpolated on its own, then each later file merges into the result of those before it.
 * Mappings merge key by key, lists append, scalars are replaced, with docker's rules for service
 * fields (see merge-service.ts); top-level networks, volumes, secrets and configs are replaced whole
 * by name. `!reset` removes a value (on one entry of environment, labels, sysctls or ulimits, in
 * either form: that name), `!override` replaces it without merging (the compose spec).
 */
export function mergeLayers(layers: readonly ComposeLayer[], ctx: MergeCtx): MergedLayers {
  const origin = new Map<string, number>();
  const record = (v: unknown, path: PathSegment[], i: number, depth = 0): void => {
    origin.set(formatPath(path), i);
    if (depth > 64) return;
    if (Array.isArray(v)) v.forEach((x, k) => record(x, [...path, k], i, depth + 1));
    else if (isMap(v)) for (const [k, x] of Object.entries(v)) record(x, [...path, k], i, depth + 1);
  };

  let value: unknown = null;
  layers.forEach((layer, i) => {
    const tags = layer.tags ?? new Map<string, MergeTag>();
    const node = (base: unknown, over: unknown, path: PathSegment[]): unknown => {
      const tag = tags.get(formatPath(path));
      if (tag === 'reset') return DELETE;
      if (over === undefined || over === null) return base === undefined ? over : base;
      if (tag === 'override' || base === undefined || base === null) {
        record(over, path, i);
        return strip(over, path);
      }
      const rule = ruleFor(path);
      if (rule) {
        record(over, path, i);
        const out = rule(base, strip(over, path), ctx);
        // an entry of a mapping merged by name tagged `!reset` removes that name (compose spec)
        const resets = isKeyed(path) ? resetKeys(over, tags, path) : [];
        if (resets.length === 0 || !isMap(out)) return out;
        const kept: Tree = { ...out };
        for (const k of resets) delete kept[k];
        return kept;
      }
      if (isMap(base) && isMap(over)) {
        if (path.length > 0) origin.set(formatPath(path), i);
        const out: Tree = { ...base };
        for (const [k, v] of Object.entries(over)) {
          const r = node(base[k], v, [...path, k]);
          if (r === DELETE) delete out[k];
          else out[k] = r;
        }
        return out;
      }
      record(over, path, i);
      if (Array.isArray(base) && Array.isArray(over)) return [...base, ...(strip(over, path) as unknown[])];
      return strip(over, path);
    };
    const strip = (v: unknown, path: PathSegment[]): unknown => withoutResets(v, tags, path);
    if (i === 0) {
      record(layer.value, [], 0);
      value = strip(layer.value, []);
      return;
    }
    const r = node(value, layer.value, []);
    value = r === DELETE ? null : r;
  });

  return {
    value,
    locate(path) {
      // the root is the first file's, so some prefix of every path is found
      let n = path.length;
      while (n > 0 && !origin.has(formatPath(path.slice(0, n)))) n--;
      const layer = layers[origin.get(formatPath(path.slice(0, n))) ?? 0] as ComposeLayer;
      const elsewhere = layer.origins?.(path);
      if (elsewhere) return elsewhere;
      const line = layer.lineOf(path);
      return line === undefined ? { file: layer.file } : { file: layer.file, line };
    },
  };
}

/** A value taken from a file as is: the values inside it tagged `!reset` are dropped. */
export function withoutResets(
  v: unknown,
  tags: ReadonlyMap<string, MergeTag> = new Map(),
  path: PathSegment[] = [],
): unknown {
  if (tags.size === 0) return v;
  if (Array.isArray(v))
    return v.flatMap((x, k) =>
      tags.get(formatPath([...path, k])) === 'reset' ? [] : [withoutResets(x, tags, [...path, k])],
    );
  if (!isMap(v)) return v;
  const out: Tree = {};
  for (const [k, x] of Object.entries(v))
    if (tags.get(formatPath([...path, k])) !== 'reset') out[k] = withoutResets(x, tags, [...path, k]);
  return out;
}

/** Service fields merged by name into a mapping, whatever the form each file writes. */
const KEYED = new Set(['environment', 'labels', 'deploy.labels', 'sysctls', 'ulimits']);

function isKeyed(path: readonly PathSegment[]): boolean {
  return path[0] === 'services' && path.length >= 3 && KEYED.has(path.slice(2).join('.'));
}

/**
 * The names an override's `!reset` entries remove: `NAME: !reset` in the mapping form, and
 * `- !reset NAME` or `- !reset NAME=value` in the list form (the value is ignored, as the compose
 * spec ignores a reset's value).
 */
function resetKeys(over: unknown, tags: ReadonlyMap<string, MergeTag>, path: PathSegment[]): string[] {
  const reset = (k: PathSegment) => tags.get(formatPath([...path, k])) === 'reset';
  if (isMap(over)) return Object.keys(over).filter(reset);
  if (!Array.isArray(over)) return [];
  return over.flatMap((x, k) => (reset(k) && typeof x === 'string' ? [x.split('=')[0]!] : []));
}

function ruleFor(
  path: readonly PathSegment[],
): ((b: unknown, o: unknown, c: MergeCtx) => unknown) | undefined {
  if (path.length === 2 && typeof path[0] === 'string' && NAMED.has(path[0])) return (_b, o) => o;
  if (path[0] !== 'services' || path.length < 3 || path.some((p) => typeof p !== 'string')) return undefined;
  return SERVICE_RULES[path.slice(2).join('.')];
}
