/**
 * Field-level comparison of a desired spec with the spec the Engine returned.
 *
 * - Zero values the Engine omits (false, 0, "", [], {}, null) equal an absent field, except
 *   where the server default is not zero (`Replicas: 0` is not `Replicas: 1`).
 * - A field absent from the desired spec is no difference (the Engine fills defaults), unless
 *   `strict`, or the field is one the Engine never fills (`owned`): then an observed value that is
 *   not the server default is reported as a removal.
 * - Map-valued fields the user owns are compared key by key; arrays in order, full length.
 */
import { isSensitive, REDACTED } from '../model/sensitive.js';
import type { FieldChange } from './types.js';
import type { DiffProfile } from './defaults.js';
import {
  childKey,
  formatPath,
  isPlainObject,
  matchesPrefix,
  parsePattern,
  patternKey,
  type Pattern,
  type Segment,
} from './paths.js';

export interface DiffOptions {
  profile: DiffProfile;
  /** Report observed fields that are absent from the desired spec (and not server defaults). */
  strict?: boolean;
  /** Extra paths never compared (prefix match), e.g. ignore paths. */
  skip?: readonly string[];
}

interface Ctx {
  strict: boolean;
  owned: Set<string>;
  defaults: DiffProfile['defaults'];
  maps: Set<string>;
  skip: Pattern[];
  keepEmpty: Set<string>;
  profile: DiffProfile;
  out: FieldChange[];
}

type ProfileParts = Pick<Ctx, 'owned' | 'maps' | 'skip' | 'keepEmpty'>;

/** A profile's sets and parsed patterns, built once per profile (a plan diffs every service with it). */
const partsOf = new WeakMap<DiffProfile, ProfileParts>();

function profileParts(p: DiffProfile): ProfileParts {
  let parts = partsOf.get(p);
  if (!parts) {
    parts = {
      // Stryker disable next-line ArrayDeclaration: a made-up owned path or skip pattern names no real field
      owned: new Set(p.owned ?? []),
      maps: new Set(p.maps),
      skip: p.skip.map(parsePattern),
      keepEmpty: new Set(p.keepEmpty),
    };
    partsOf.set(p, parts);
  }
  return parts;
}

function makeCtx(opts: DiffOptions): Ctx {
  const p = opts.profile;
  const parts = profileParts(p);
  return {
    ...parts,
    strict: opts.strict ?? false,
    // Stryker disable next-line ArrayDeclaration: a made-up skip pattern names no real field
    skip: opts.skip?.length ? [...parts.skip, ...opts.skip.map(parsePattern)] : parts.skip,
    defaults: p.defaults,
    profile: p,
    out: [],
  };
}

function isScalarZero(v: unknown): boolean {
  return v === undefined || v === null || v === false || v === 0 || v === '';
}

/** True when `v` at the field of this pattern key is a zero value the Engine would omit. */
function zeroAtKey(v: unknown, key: string, profile: DiffProfile): boolean {
  // a zero where the server default is not zero is a value (`Replicas: 0`); no default is a zero default
  if (!isScalarZero(profile.defaults[key]) && v !== undefined && v !== null) return false;
  if (isScalarZero(v)) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isPlainObject(v)) {
    if (profile.keepEmpty.includes(key)) return false;
    for (const k in v) if (!zeroAtKey(v[k], childKey(key, k), profile)) return false;
    return true;
  }
  return false;
}

/** Drops zero-valued fields recursively (path-aware), so `{A: 1, B: []}` equals `{A: 1}`. */
export function normalize(v: unknown, segs: readonly Segment[], profile: DiffProfile): unknown {
  return normalizeKey(v, patternKey(segs), profile);
}

function normalizeKey(v: unknown, key: string, profile: DiffProfile): unknown {
  if (Array.isArray(v)) {
    const item = childKey(key, '*');
    return v.map((x) => normalizeKey(x, item, profile));
  }
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const child = childKey(key, k);
      if (!zeroAtKey(v[k], child, profile)) out[k] = normalizeKey(v[k], child, profile);
    }
    return out;
  }
  return v;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

function redact(v: unknown): unknown {
  return isSensitive(v) ? REDACTED : v;
}

function push(ctx: Ctx, segs: readonly Segment[], from: unknown, to: unknown): void {
  const c: FieldChange = { path: formatPath(segs) };
  if (from !== undefined) c.from = redact(from);
  if (to !== undefined) c.to = redact(to);
  ctx.out.push(c);
}

function skipped(ctx: Ctx, segs: readonly Segment[]): boolean {
  return ctx.skip.some((p) => matchesPrefix(p, segs));
}

function mapDiff(ctx: Ctx, d: unknown, o: unknown, segs: readonly Segment[]): void {
  const dm = isPlainObject(d) ? d : {};
  const om = isPlainObject(o) ? o : {};
  if (!ctx.strict && Object.keys(dm).length === 0) return;
  const keys = [...new Set([...Object.keys(dm), ...Object.keys(om)])].sort();
  for (const k of keys) {
    const child = [...segs, k];
    if (skipped(ctx, child)) continue;
    const dv = dm[k];
    const ov = om[k];
    if (!deepEqual(dv, ov)) push(ctx, child, ov, dv);
  }
}

/**
 * An owned field lies below the field of this pattern key. Saying yes too often only walks further:
 * below, the walk reports owned fields alone, so the mutants that widen this are equivalent.
 */
function ownedBelow(ctx: Ctx, key: string): boolean {
  // Stryker disable next-line ConditionalExpression,StringLiteral: widens only (see above)
  const prefix = key === '' ? '' : `${key}.`;
  // Stryker disable next-line ConditionalExpression: widens only
  for (const p of ctx.owned) if (p.startsWith(prefix)) return true;
  // Stryker disable next-line BooleanLiteral: widens only
  return false;
}

/** `key` is patternKey(segs), carried down rather than built again at every field. */
function walk(ctx: Ctx, d: unknown, o: unknown, segs: readonly Segment[], key: string): void {
  if (skipped(ctx, segs)) return;
  if (ctx.maps.has(key)) return mapDiff(ctx, d, o, segs);
  const profile = ctx.profile;
  const def = ctx.defaults[key];
  if (zeroAtKey(d, key, profile)) {
    if (zeroAtKey(o, key, profile)) return;
    if (!(ctx.strict || ctx.owned.has(key))) {
      // not strict here, but an owned field may lie below (EndpointSpec.Ports in an absent EndpointSpec)
      // Stryker disable next-line LogicalOperator: the keys of an array or a string name no owned field
      if (isPlainObject(o) && ownedBelow(ctx, key))
        for (const k of Object.keys(o).sort()) walk(ctx, undefined, o[k], [...segs, k], childKey(key, k));
      return;
    }
    if (isPlainObject(o)) {
      // only an object the profile keeps when empty (`Mode.Global: {}`) is not a zero value here
      if (Object.keys(o).length === 0) return push(ctx, segs, o, undefined);
      for (const k of Object.keys(o).sort()) walk(ctx, undefined, o[k], [...segs, k], childKey(key, k));
      return;
    }
    if (deepEqual(o, def)) return;
    return push(ctx, segs, o, undefined);
  }
  const oEff = o === undefined || o === null ? def : o;
  if (oEff === undefined) return push(ctx, segs, undefined, d);
  if (isPlainObject(d) && isPlainObject(oEff)) {
    const keys = [...new Set([...Object.keys(d), ...Object.keys(oEff)])].sort();
    for (const k of keys) walk(ctx, d[k], oEff[k], [...segs, k], childKey(key, k));
    return;
  }
  if (Array.isArray(d) && Array.isArray(oEff)) {
    const item = childKey(key, '*');
    for (let i = 0; i < Math.max(d.length, oEff.length); i++) {
      if (i >= d.length) push(ctx, [...segs, i], oEff[i], undefined);
      else if (i >= oEff.length) push(ctx, [...segs, i], undefined, d[i]);
      else walk(ctx, d[i], oEff[i], [...segs, i], item);
    }
    return;
  }
  if (!deepEqual(normalizeKey(d, key, profile), normalizeKey(oEff, key, profile))) push(ctx, segs, o, d);
}

/** Differences between a desired and an observed spec, in a stable order. */
export function diffSpec(desired: unknown, observed: unknown, opts: DiffOptions): FieldChange[] {
  const ctx = makeCtx(opts);
  walk(ctx, desired, observed, [], '');
  return ctx.out;
}
