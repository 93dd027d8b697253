/**
 * The two name orders swarmkeeper sorts by: `compareText` (code units, as docker and Go order names)
 * and `compareNames` (the order `localeCompare` gave, without ICU). Each call site keeps the order its
 * output always had.
 */

/**
 * Code-unit order for `Array.prototype.sort`, as Go's `sort.Strings` and docker order names:
 * `B` before `a`, no locale. Numbers compare as numbers.
 */
export function compareText(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A comparator by one key of each element, in code-unit order. */
export const byKey =
  <T>(key: (t: T) => string | number) =>
  (a: T, b: T): number =>
    compareText(key(a), key(b));

/**
 * `compareNames`: `a.localeCompare(b)` without ICU, for the names swarmkeeper sorts (Docker object names, keys,
 * condition types, hostnames, timestamps).
 *
 * The first `localeCompare` of a process makes V8 open ICU's collator, which pages ~3 MiB of the
 * `node` binary's ICU data into memory for good (an idle controller's RSS; bench/README.md,
 * idle-memory). For printable ASCII (U+0020-U+007E) this gives the order ICU's root collation gives,
 * which is `localeCompare`'s in Node's default (and en-US) locale: punctuation, then digits, then
 * letters, compared without case over the whole strings (a shorter prefix first), and only then the
 * first difference of case, lower case first (`_-,;:!?.'"()[]{}@*` ... `$`, `0-9`, `aAbB…zZ`).
 * test/reconciler/model/order.test.ts checks it against `localeCompare` itself. Any other character
 * in either string: `localeCompare`, as before. Unlike `localeCompare`, the order of ASCII names does
 * not change with the host's locale (LANG).
 */

/** Printable ASCII in ICU root collation order; a letter pair shares one primary weight. */
const ROOT_ORDER = ` _-,;:!?.'"()[]{}@*/\\&#%\`^+<=>|~$0123456789`;

const FIRST = 0x20;
const LAST = 0x7e;
/** Primary weight per code unit (index code - FIRST). */
const PRIMARY = new Uint8Array(LAST - FIRST + 1);
/** 1 for an upper-case letter (the tertiary level: lower case first). */
const UPPER = new Uint8Array(LAST - FIRST + 1);
for (let i = 0; i < ROOT_ORDER.length; i++) PRIMARY[ROOT_ORDER.charCodeAt(i) - FIRST] = i;
for (let l = 0; l < 26; l++) {
  PRIMARY[0x61 + l - FIRST] = ROOT_ORDER.length + l;
  PRIMARY[0x41 + l - FIRST] = ROOT_ORDER.length + l;
  UPPER[0x41 + l - FIRST] = 1;
}

function printable(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < FIRST || c > LAST) return false;
  }
  return true;
}

/** The sign `a.localeCompare(b)` gives in Node's default locale: -1, 0 or 1. */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  if (!printable(a) || !printable(b)) return a.localeCompare(b);
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const pa = PRIMARY[a.charCodeAt(i) - FIRST]!;
    const pb = PRIMARY[b.charCodeAt(i) - FIRST]!;
    if (pa !== pb) return pa < pb ? -1 : 1;
  }
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  for (let i = 0; i < n; i++) {
    const ua = UPPER[a.charCodeAt(i) - FIRST]!;
    const ub = UPPER[b.charCodeAt(i) - FIRST]!;
    if (ua !== ub) return ua < ub ? -1 : 1;
  }
  return 0;
}
