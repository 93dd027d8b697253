import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  newestInRange,
  parseRange,
  parseVersion,
  rangeProblem,
  satisfies,
  type Range,
} from '../../../reconciler/units/semver.js';

const range = (text: string): Range => {
  const r = parseRange(text);
  if (!r) throw new Error(`bad range ${text}`);
  return r;
};
const sat = (v: string, r: string) => satisfies(parseVersion(v)!, range(r));

describe('parseVersion', () => {
  it.each([
    ['1.2.3', '1.2.3'],
    ['v1.2.3', '1.2.3'],
    ['1.2.3-rc.1', '1.2.3-rc.1'],
    ['0.0.0', '0.0.0'],
  ])('%s is a version', (tag, want) => expect(parseVersion(tag)?.version).toBe(want));

  it.each(['latest', '1.2', '1', '01.2.3', '1.2.3-', 'alpine', '1.2.3.4', '', '=1.2.3'])(
    '%s is no version',
    (tag) => expect(parseVersion(tag)).toBeUndefined(),
  );
});

describe('compareVersions', () => {
  it.each([
    ['1.2.3', '1.2.4', -1],
    ['1.10.0', '1.9.9', 1],
    ['2.0.0', '2.0.0', 0],
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
    ['1.0.0-rc.2', '1.0.0-rc.10', -1],
    ['1.0.0-beta', '1.0.0-alpha', 1],
  ])('%s vs %s is %i', (a, b, want) =>
    expect(Math.sign(compareVersions(parseVersion(a)!, parseVersion(b)!))).toBe(want),
  );
});

describe('satisfies (node-semver ranges)', () => {
  it.each([
    ['1.2.0', '^1.2', true],
    ['1.3.0', '^1.2', true],
    ['1.9.9', '^1.2', true],
    ['2.0.0', '^1.2', false],
    ['1.1.9', '^1.2', false],
    ['0.2.5', '^0.2', true],
    ['0.3.0', '^0.2', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    ['0.0.9', '^0.0', true],
    ['0.1.0', '^0.0', false],
    ['1.2.9', '~1.2.3', true],
    ['1.3.0', '~1.2.3', false],
    ['1.2.2', '~1.2.3', false],
    ['1.9.0', '~1', true],
    ['2.0.0', '~1', false],
    ['1.4.0', '1.x', true],
    ['2.0.0', '1.x', false],
    ['1.2.7', '1.2', true],
    ['1.3.0', '1.2', false],
    ['9.9.9', '*', true],
    ['1.2.3', '1.2.3', true],
    ['1.2.4', '=1.2.3', false],
    ['1.5.0', '>=1.2 <2', true],
    ['2.0.0', '>=1.2 <2', false],
    ['1.2.0', '>= 1.2.0', true],
    ['1.3.0', '<=1.2', false],
    ['1.2.9', '<=1.2', true],
    ['1.3.0', '>1.2', true],
    ['1.2.9', '>1.2', false],
    ['1.2.4', '>1.2.3', true],
    ['3.1.0', '^1.2 || ^3', true],
    ['2.1.0', '^1.2 || ^3', false],
    ['1.5.0', '1.2 - 1.6', true],
    ['1.7.0', '1.2 - 1.6', false],
    ['1.3.0-rc.1', '^1.2', false],
  ])('%s in %s: %s', (v, r, want) => expect(sat(v, r)).toBe(want));

  it.each(['^x.y.z', 'latest', '^1.2.3.4', '>>1', '1.2 - ', 'abc || ^1'])('%s is no range', (r) => {
    expect(parseRange(r)).toBeUndefined();
    expect(rangeProblem(r)).toContain(r);
  });
});

describe('newestInRange', () => {
  it.each([
    [['1.2.1', '1.3.0', '2.0.0'], '^1.2', '1.3.0'],
    [['latest', '1.2.1', 'v1.4.0', '1.3.0-rc.1'], '^1.2', 'v1.4.0'],
    [['2.0.0', '3.0.0'], '^1.2', undefined],
    [[], '*', undefined],
    [['1.10.0', '1.9.0', '1.2.0'], '~1.9', '1.9.0'],
  ])('%j in %s -> %s', (tags, r, want) => expect(newestInRange(tags, range(r))).toBe(want));

  const version = fc
    .tuple(fc.nat(4), fc.nat(4), fc.nat(4), fc.boolean(), fc.constantFrom('', '-rc.1', '-alpha'))
    .map(([a, b, c, v, pre]) => `${v ? 'v' : ''}${a}.${b}.${c}${pre}`);
  const tag = fc.oneof(version, fc.constantFrom('latest', 'alpine', '1.2', 'stable'));
  const rangeText = fc.oneof(
    fc
      .tuple(fc.constantFrom('^', '~', '', '>=', '<', '<=', '>'), fc.nat(4), fc.option(fc.nat(4)))
      .map(([op, a, b]) => `${op}${a}${b === null ? '' : `.${b}`}`),
    fc.tuple(fc.nat(4), fc.nat(4)).map(([a, b]) => `>=${a} <${a + b}`),
    fc.constantFrom('*', '1.x', '^1.2 || ^3'),
  );

  it('the result is in range and no other in-range tag is newer', () => {
    fc.assert(
      fc.property(fc.array(tag, { maxLength: 12 }), rangeText, (tags, text) => {
        const r = range(text);
        const best = newestInRange(tags, r);
        const inRange = tags.filter((t) => {
          const v = parseVersion(t);
          return v !== undefined && satisfies(v, r);
        });
        if (best === undefined) return inRange.length === 0;
        const b = parseVersion(best)!;
        return (
          tags.includes(best) &&
          satisfies(b, r) &&
          inRange.every((t) => compareVersions(b, parseVersion(t)!) >= 0)
        );
      }),
    );
  });

  it('does not depend on the order of the tags (up to equal versions)', () => {
    fc.assert(
      fc.property(fc.array(tag, { maxLength: 12 }), rangeText, (tags, text) => {
        const r = range(text);
        const a = newestInRange(tags, r);
        const b = newestInRange([...tags].reverse(), r);
        if (a === undefined || b === undefined) return a === b;
        return compareVersions(parseVersion(a)!, parseVersion(b)!) === 0;
      }),
    );
  });
});
