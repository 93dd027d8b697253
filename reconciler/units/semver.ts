/**
 * Semantic versions of image tags for `image-update: {semver: "<range>"}`, read by node-semver:
 * a tag is a version when node-semver reads it strictly (`1.2.3`, `v1.2.3`, `1.2.3-rc.1`; not
 * `latest` or `1.2`); ranges are node-semver's (`^1.2`, `~1.2.3`, `1.x`, `>=1.2 <2`, `1.2 - 1.6`,
 * alternatives with `||`), and a prerelease never matches a range (node-semver's default).
 */
import semver from 'semver';

export type Version = semver.SemVer;
export type Range = semver.Range;

/** A tag as a version, or undefined when it is none (`latest`, `1.2`, `01.2.3`). */
export function parseVersion(tag: string): Version | undefined {
  return semver.parse(tag) ?? undefined;
}

/** Semver precedence: negative, 0 or positive. */
export function compareVersions(a: Version, b: Version): number {
  return semver.compare(a, b);
}

/** A range, or undefined when it is invalid or empty (so it is reported where it is written). */
export function parseRange(text: string): Range | undefined {
  if (text.trim() === '') return undefined;
  try {
    return new semver.Range(text);
  } catch {
    return undefined;
  }
}

/** True when a release version is in the range (a prerelease never is). */
export function satisfies(x: Version, range: Range): boolean {
  return range.test(x);
}

/** The newest tag whose version is in the range; undefined when none is. Ties (`v1.2.3`, `1.2.3`) keep the first. */
export function newestInRange(tags: readonly string[], range: Range): string | undefined {
  return semver.maxSatisfying([...tags], range) ?? undefined;
}

/** Why a semver range is invalid, or undefined when it is valid. */
export function rangeProblem(range: string): string | undefined {
  return parseRange(range) === undefined
    ? `"${range}" is not a semver range (e.g. ^1.2, ~1.2.3, 1.x, >=1.2 <2)`
    : undefined;
}
