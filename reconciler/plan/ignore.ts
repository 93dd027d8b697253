/**
 * `ignore` paths (e.g. `Mode.Replicated.Replicas`, `TaskTemplate.ContainerSpec.Env[*]`): differences
 * under them are dropped and the update sends the observed value, so another tool's changes are kept.
 */
import {
  clone,
  isPlainObject,
  matchesExactly,
  matchesPrefix,
  mayMatchBelow,
  parsePattern,
  type Pattern,
  type Segment,
} from './paths.js';

export function compileIgnore(patterns: readonly string[]): Pattern[] {
  return patterns.filter((p) => p.trim() !== '').map(parsePattern);
}

/**
 * True when the path (a FieldChange path) lies under one of the patterns. A pattern ending in `[*]`
 * covers every element, so it also covers a change of the whole array.
 */
export function isIgnored(path: string, patterns: readonly Pattern[]): boolean {
  const segs = parsePattern(path);
  return patterns.some(
    (p) => matchesPrefix(p, segs) || (p[p.length - 1] === '*' && matchesPrefix(p.slice(0, -1), segs)),
  );
}

function overlay(d: unknown, o: unknown, segs: Segment[], patterns: readonly Pattern[]): unknown {
  if (patterns.some((p) => matchesExactly(p, segs))) return clone(o);
  if (!patterns.some((p) => mayMatchBelow(p, segs))) return d;
  if (Array.isArray(d) || Array.isArray(o)) {
    const da = Array.isArray(d) ? d : [];
    const oa = Array.isArray(o) ? o : [];
    if (patterns.some((p) => matchesExactly(p, [...segs, 0]) && p[segs.length] === '*')) return clone(o);
    const out = da.map((x, i) => overlay(x, oa[i], [...segs, i], patterns));
    // an ignored item past the desired ones (e.g. `Env[1]` another tool appended) keeps its value
    for (let i = da.length; i < oa.length; i++)
      if (patterns.some((p) => matchesExactly(p, [...segs, i]))) out.push(clone(oa[i]));
    return out.filter((x) => x !== undefined);
  }
  if (d !== undefined && !isPlainObject(d)) return d;
  const dm = isPlainObject(d) ? d : {};
  const om = isPlainObject(o) ? o : {};
  const out: Record<string, unknown> = {};
  for (const k of new Set([...Object.keys(dm), ...Object.keys(om)])) {
    const v = overlay(dm[k], om[k], [...segs, k], patterns);
    if (v !== undefined) out[k] = v;
  }
  if (d === undefined && Object.keys(out).length === 0) return undefined;
  return out;
}

/**
 * A copy of `desired` where every ignored path holds the observed value (or is removed when
 * `observed` is undefined, which gives the spec the spec hash is computed from).
 */
export function overlayIgnored<T>(desired: T, observed: unknown, patterns: readonly Pattern[]): T {
  return overlay(desired, observed, [], patterns) as T;
}
