/**
 * Field paths: `TaskTemplate.ContainerSpec.Env[2]`, `Labels["com.docker.stack.namespace"]`.
 * Internally a path is a list of segments (string keys, numeric indexes); patterns add `*` for `[*]`.
 */
export type Segment = string | number;
/** A parsed path or pattern. */
export type Pattern = readonly Segment[];

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function formatPath(segs: readonly Segment[]): string {
  let out = '';
  for (const s of segs) {
    if (s === '*') out += '[*]';
    else if (IDENT.test(String(s)))
      out += out === '' ? s : `.${s}`; // an index is never an identifier
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** The path with every index replaced by `[*]`, the key used by default and map tables. */
export function patternKey(segs: readonly Segment[]): string {
  let key = '';
  for (const s of segs) key = childKey(key, s);
  return key;
}

/**
 * The pattern key of a child of the path whose key is `key`: patternKey([...segs, seg]) from
 * patternKey(segs), without building either list (the diff walks every field of every spec).
 */
export function childKey(key: string, seg: Segment): string {
  if (typeof seg === 'number' || seg === '*') return `${key}[*]`;
  if (IDENT.test(seg)) return key === '' ? seg : `${key}.${seg}`;
  return `${key}[${JSON.stringify(seg)}]`;
}

/** Parses `a.b[*].c`, `a[2]`, `Labels["x.y"]` into segments (`*` for a wildcard index). */
const parsed = new Map<string, readonly Segment[]>();

export function parsePattern(pattern: string): readonly Segment[] {
  const hit = parsed.get(pattern);
  if (hit) return hit;
  const segs: Segment[] = [];
  const re = /\[("(?:[^"\\]|\\.)*")\]|\[(\*|\d+)\]|([^.[\]]+)/g;
  for (const m of pattern.matchAll(re)) {
    if (m[1] !== undefined) segs.push(JSON.parse(m[1]) as string);
    else if (m[2] !== undefined) segs.push(m[2] === '*' ? '*' : Number(m[2]));
    else segs.push(m[3] as string); // the third alternative matched
  }
  if (parsed.size < 10_000) parsed.set(pattern, segs);
  return segs;
}

function segMatches(p: Segment, s: Segment): boolean {
  if (p === '*') return typeof s === 'number' || s === '*';
  return p === s;
}

/** True when `pattern` names exactly this path. */
export function matchesExactly(pattern: readonly Segment[], segs: readonly Segment[]): boolean {
  return pattern.length === segs.length && pattern.every((p, i) => segMatches(p, segs[i] as Segment));
}

/** True when `pattern` names this path or one of its ancestors (prefix match). */
export function matchesPrefix(pattern: readonly Segment[], segs: readonly Segment[]): boolean {
  // a pattern segment past the end of the path matches nothing (segs[i] is undefined)
  return pattern.every((p, i) => segMatches(p, segs[i] as Segment));
}

/** True when `pattern` may name a descendant of this path. */
export function mayMatchBelow(pattern: readonly Segment[], segs: readonly Segment[]): boolean {
  return pattern.length > segs.length && segs.every((s, i) => segMatches(pattern[i] as Segment, s));
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype
  );
}

/** Structural clone of JSON-like data (class instances such as Sensitive are kept by reference). */
export function clone<T>(v: T): T {
  if (Array.isArray(v)) return v.map((x) => clone(x)) as T;
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = clone(x);
    return out as T;
  }
  return v;
}
