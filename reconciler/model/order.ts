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
