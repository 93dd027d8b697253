import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sensitive } from '../../../reconciler/model/sensitive.js';
import { propertyRuns } from '../../support/property-runs.js';
import {
  clone,
  formatPath,
  isPlainObject,
  matchesExactly,
  matchesPrefix,
  mayMatchBelow,
  parsePattern,
  patternKey,
  type Segment,
} from '../../../reconciler/plan/paths.js';

describe('formatPath and patternKey', () => {
  it.each<[Segment[], string, string]>([
    [['Mode', 'Replicated', 'Replicas'], 'Mode.Replicated.Replicas', 'Mode.Replicated.Replicas'],
    [['Env', 2], 'Env[2]', 'Env[*]'],
    [[0, 'a'], '[0].a', '[*].a'],
    [['Labels', 'com.docker.x'], 'Labels["com.docker.x"]', 'Labels["com.docker.x"]'],
    [['a b'], '["a b"]', '["a b"]'],
    [['_x9', '9x'], '_x9["9x"]', '_x9["9x"]'],
    [['Ports', '*', 'Target'], 'Ports[*].Target', 'Ports[*].Target'],
    [[], '', ''],
  ])('%j -> %s, key %s', (segs, path, key) => {
    expect(formatPath(segs)).toBe(path);
    expect(patternKey(segs)).toBe(key);
  });
});

// patternKey builds the key one segment at a time (childKey, carried down the diff's walk): the
// same key the path formatted with every index as [*] gives, for any segments.
describe('patternKey and childKey', () => {
  const segment = fc.oneof(
    fc.nat(),
    fc.constantFrom('*', 'Labels', 'a b', '_x9', '9x', 'com.docker.x', ''),
    fc.string({ maxLength: 6 }),
  );
  it('patternKey is the path formatted with every index as [*]', () => {
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), (segs) => {
        expect(patternKey(segs)).toBe(formatPath(segs.map((s) => (typeof s === 'number' ? '*' : s))));
      }),
      propertyRuns(200),
    );
  });
});

describe('parsePattern', () => {
  it.each<[string, Segment[]]>([
    ['Labels["a\\"b"].c', ['Labels', 'a"b', 'c']],
    ['Labels["x[1]"]', ['Labels', 'x[1]']],
    ['a[10][*]', ['a', 10, '*']],
    ['', []],
  ])('%s', (p, segs) => {
    expect(parsePattern(p)).toEqual(segs);
    expect(parsePattern(p)).toEqual(segs);
  });

  it('round-trips with formatPath', () => {
    for (const segs of [
      ['a', 1, 'b.c'],
      ['x', '*', 'y'],
      ['Labels', 'k"q'],
    ] as Segment[][])
      expect(parsePattern(formatPath(segs))).toEqual(segs);
  });
});

describe('matching', () => {
  const P = (s: string) => parsePattern(s);
  it.each([
    ['a.b', 'a.b', true, true, false],
    ['a', 'a.b', false, true, false],
    ['a.b.c', 'a.b', false, false, true],
    ['a[*].c', 'a[3].c', true, true, false],
    ['a[*].c', 'a[3]', false, false, true],
    ['a[*]', 'a[*]', true, true, false],
    ['a[2]', 'a[3]', false, false, false],
    ['a[2].x', 'a[3]', false, false, false],
    ['a.x', 'a.b', false, false, false],
    ['a[*]', 'a.b', false, false, false],
  ])('pattern %s, path %s: exactly %s, prefix %s, below %s', (p, path, exact, prefix, below) => {
    expect(matchesExactly(P(p), P(path))).toBe(exact);
    expect(matchesPrefix(P(p), P(path))).toBe(prefix);
    expect(mayMatchBelow(P(p), P(path))).toBe(below);
  });
});

describe('isPlainObject and clone', () => {
  it.each([
    [{}, true],
    [{ a: 1 }, true],
    [[], false],
    [null, false],
    [new Sensitive('x'), false],
    [new Date(0), false],
    [Object.create(null), false],
    ['s', false],
  ])('isPlainObject(%s) is %s', (v, want) => {
    expect(isPlainObject(v)).toBe(want);
  });

  it('clones data deeply, drops undefined fields, keeps class instances by reference', () => {
    const s = new Sensitive('x');
    const v = { a: [{ b: 1, u: undefined }], s, n: null };
    const c = clone(v);
    expect(c).toStrictEqual({ a: [{ b: 1 }], s, n: null });
    expect(c.a).not.toBe(v.a);
    expect(c.a[0]).not.toBe(v.a[0]);
    expect(c.s).toBe(s);
  });
});

describe('parsePattern: the parse cache', () => {
  it('a pattern parsed again is the same parse; the cache is bounded', () => {
    expect(parsePattern('Cached.Path[2]')).toBe(parsePattern('Cached.Path[2]'));
    for (let i = 0; i < 10_000; i++) parsePattern(`Fill${i}`);
    expect(parsePattern('Late.Path')).toEqual(['Late', 'Path']);
    expect(parsePattern('Late.Path')).not.toBe(parsePattern('Late.Path'));
  });
});
