/**
 * The part of semantic versioning an image tag policy needs (`image-update: {semver: "^1.2"}`),
 * pure: versions `MAJOR.MINOR.PATCH[-pre]` (an optional leading `v`, no build metadata) and the
 * range forms of node-semver without prereleases in ranges: `^1.2`, `~1.2.3`, `1.x`, `1.2`, `*`,
 * `>=1.2 <2`, `=1.2.3`, and alternatives joined by `||`. A prerelease tag never matches a range
 * (node-semver's default). Tags that are not versions are ignored.
 */

export interface Version {
  major: number;
  minor: number;
  patch: number;
  /** Prerelease identifiers (`1.2.3-rc.1` -> ['rc', '1']); empty for a release. */
  pre: string[];
}

type Op = '<' | '<=' | '>' | '>=' | '=';
interface Comparator {
  op: Op;
  v: Version;
}
/** Alternatives (`||`) of comparator sets (every comparator of one set must hold). */
export type Range = Comparator[][];

const NUM = '(0|[1-9]\\d{0,15})';
const VERSION = new RegExp(`^v?${NUM}\\.${NUM}\\.${NUM}(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?$`);

/** A tag as a version, or undefined when it is none (`latest`, `1.2`, `1.2.3+build`). */
export function parseVersion(tag: string): Version | undefined {
  const m = VERSION.exec(tag);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] ? m[4].split('.') : [] };
}

function comparePre(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length; // a release is above its prereleases
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Number(x) - Number(y);
    if (nx !== ny) return nx ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

/** Semver precedence: negative, 0 or positive. */
export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || comparePre(a.pre, b.pre);
}

const PART = '(0|[1-9]\\d{0,15}|[xX*])';
const PARTIAL = new RegExp(`^v?${PART}(?:\\.${PART}(?:\\.${PART})?)?$`);
const v = (major: number, minor = 0, patch = 0): Version => ({ major, minor, patch, pre: [] });
const wild = (s: string | undefined) => s === undefined || s === 'x' || s === 'X' || s === '*';

/** `1.2` -> [1, 2, undefined]; undefined when it is no partial version. */
function partial(s: string): [number | undefined, number | undefined, number | undefined] | undefined {
  if (s === '*' || s === 'x' || s === 'X' || s === '') return [undefined, undefined, undefined];
  const m = PARTIAL.exec(s);
  if (!m) return undefined;
  const a = wild(m[1]) ? undefined : Number(m[1]);
  const b = a === undefined || wild(m[2]) ? undefined : Number(m[2]);
  const c = b === undefined || wild(m[3]) ? undefined : Number(m[3]);
  return [a, b, c];
}

/** The comparators of one range term (`^1.2`, `>=1.0`, `1.x`), or undefined when it is invalid. */
function term(t: string): Comparator[] | undefined {
  const m = /^(\^|~>?|>=|<=|>|<|=)?\s*(.*)$/.exec(t);
  const op = m?.[1] ?? '';
  const p = partial(m?.[2] ?? '');
  if (!p) return undefined;
  const [a, b, c] = p;
  if (a === undefined) return op === '<' || op === '>' ? [{ op: '<', v: v(0) }] : [];
  if (op === '^') {
    const upper =
      a > 0 || b === undefined ? v(a + 1) : b > 0 || c === undefined ? v(0, b + 1) : v(0, 0, c + 1);
    return [
      { op: '>=', v: v(a, b, c) },
      { op: '<', v: upper },
    ];
  }
  if (op === '~' || op === '~>')
    return [
      { op: '>=', v: v(a, b, c) },
      { op: '<', v: b === undefined ? v(a + 1) : v(a, b + 1) },
    ];
  if (c !== undefined && b !== undefined) return [{ op: op === '' ? '=' : (op as Op), v: v(a, b, c) }];
  // a partial version: a span [low, high)
  const low = v(a, b);
  const high = b === undefined ? v(a + 1) : v(a, b + 1);
  switch (op) {
    case '>':
      return [{ op: '>=', v: high }];
    case '>=':
      return [{ op: '>=', v: low }];
    case '<':
      return [{ op: '<', v: low }];
    case '<=':
      return [{ op: '<', v: high }];
    default:
      return [
        { op: '>=', v: low },
        { op: '<', v: high },
      ];
  }
}

/** A range, or undefined when it is invalid (so it is reported where it is written). */
export function parseRange(text: string): Range | undefined {
  const out: Range = [];
  for (const alt of text.split('||')) {
    // `>= 1.2` is one term: glue an operator to its version
    const tokens = alt
      .trim()
      .replace(/(\^|~>?|>=|<=|>|<|=)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean);
    const set: Comparator[] = [];
    if (tokens.length === 3 && tokens[1] === '-') {
      const lo = term(`>=${tokens[0]}`);
      const hi = term(`<=${tokens[2]}`);
      if (!lo || !hi) return undefined;
      out.push([...lo, ...hi]);
      continue;
    }
    for (const t of tokens) {
      const cs = term(t);
      if (!cs) return undefined;
      set.push(...cs);
    }
    out.push(set);
  }
  return out;
}

function holds(c: Comparator, x: Version): boolean {
  const d = compareVersions(x, c.v);
  switch (c.op) {
    case '<':
      return d < 0;
    case '<=':
      return d <= 0;
    case '>':
      return d > 0;
    case '>=':
      return d >= 0;
    default:
      return d === 0;
  }
}

/** True when a release version is in the range (a prerelease never is). */
export function satisfies(x: Version, range: Range): boolean {
  if (x.pre.length > 0) return false;
  return range.some((set) => set.every((c) => holds(c, x)));
}

/** The newest tag whose version is in the range; undefined when none is. Ties (`v1.2.3`, `1.2.3`) keep the first. */
export function newestInRange(tags: readonly string[], range: Range): string | undefined {
  let best: { tag: string; v: Version } | undefined;
  for (const tag of tags) {
    const x = parseVersion(tag);
    if (!x || !satisfies(x, range)) continue;
    if (!best || compareVersions(x, best.v) > 0) best = { tag, v: x };
  }
  return best?.tag;
}

/** Why a semver range is invalid, or undefined when it is valid. */
export function rangeProblem(range: string): string | undefined {
  return parseRange(range) === undefined
    ? `"${range}" is not a semver range (e.g. ^1.2, ~1.2.3, 1.x, >=1.2 <2)`
    : undefined;
}
