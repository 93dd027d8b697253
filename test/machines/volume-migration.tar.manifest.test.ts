// Manifest comparison and its message: the order of the differences and the exact wording verify reports.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareManifests,
  describeDifferences,
  relativeName,
  type ManifestDifference,
  type ManifestEntry,
} from '../../machines/volume-migration.tar.js';
import { propertyRuns } from '../support/property-runs.js';

const entry: fc.Arbitrary<ManifestEntry> = fc.record({
  type: fc.constantFrom('file' as const, 'dir' as const),
  size: fc.integer({ min: 0, max: 3 }),
});
const manifest = fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-d]{1,3}$/), entry), {
  selector: (e) => e[0],
});

function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = (seed * (i + 7)) % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('compareManifests', () => {
  it('lists each differing name once, sorted by name, whatever the order of the entries', () => {
    fc.assert(
      fc.property(manifest, manifest, fc.nat(), (src, dst, seed) => {
        const diffs = compareManifests(new Map(src), new Map(dst));
        const names = diffs.map((d) => d.name);
        expect(names).toEqual([...new Set(names)].sort());
        const again = compareManifests(new Map(shuffled(src, seed)), new Map(shuffled(dst, seed + 1)));
        expect(again).toEqual(diffs);
      }),
      propertyRuns(200),
    );
  });

  it('sorts a target-only name before a missing one when it comes first', () => {
    const one: ManifestEntry = { type: 'file', size: 1, sha256: 'a' };
    expect(
      compareManifests(
        new Map([
          ['z', one],
          ['m', one],
        ]),
        new Map([['a', one]]),
      ),
    ).toEqual([
      { name: 'a', problem: 'only in the target' },
      { name: 'm', problem: 'missing in the target' },
      { name: 'z', problem: 'missing in the target' },
    ]);
  });
});

describe('describeDifferences', () => {
  const diffs = (n: number): ManifestDifference[] =>
    Array.from({ length: n }, (_, i) => ({ name: String.fromCharCode(97 + i), problem: `p${i}` }));

  it.each([
    [1, 5, '1 difference: a: p0'],
    [2, 5, '2 differences: a: p0; b: p1'],
    [5, 5, '5 differences: a: p0; b: p1; c: p2; d: p3; e: p4'],
    [6, 5, '6 differences: a: p0; b: p1; c: p2; d: p3; e: p4; and 1 more'],
    [7, 2, '7 differences: a: p0; b: p1; and 5 more'],
    [3, 3, '3 differences: a: p0; b: p1; c: p2'],
  ])('%i differences, at most %i shown', (n, max, text) => {
    expect(describeDifferences(diffs(n), max)).toBe(text);
  });

  it('shows five by default', () => {
    expect(describeDifferences(diffs(8))).toBe(
      '8 differences: a: p0; b: p1; c: p2; d: p3; e: p4; and 3 more',
    );
  });
});

describe('relativeName', () => {
  it.each([
    ['vol', '.'],
    ['./vol', '.'],
    ['./vol/a', 'a'],
    ['vol/x./y', 'x./y'],
    ['vol/a./b./c', 'a./b./c'],
    ['volume/a', 'volume/a'],
  ])('%s -> %s', (name, rel) => {
    expect(relativeName(name, 'vol')).toBe(rel);
  });
});
