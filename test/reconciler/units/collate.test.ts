import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareNames } from '../../../reconciler/units/collate.js';

const sign = (n: number): number => Math.sign(n);
const printable = fc.string({
  unit: fc.constantFrom(...Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i))),
});
const nameLike = fc.string({ unit: fc.constantFrom(...'aAbBzZ019_-. '.split('')), maxLength: 6 });

describe('compareNames: localeCompare without ICU', () => {
  it.each([
    ['web_api', 'web-api', -1],
    ['web-api', 'web1', -1],
    ['a', 'B', -1],
    ['B', 'a', 1],
    ['a', 'A', -1],
    ['ab', 'Aa', 1],
    ['Ab', 'aB', 1],
    ['a b', 'ab', -1],
    ['app', 'app_db', -1],
    ['2026-12-06T10:00:00Z', '2026-12-06T09:59:59Z', 1],
    ['Ready', 'Reconciling', -1],
    ['same', 'same', 0],
    ['', 'a', -1],
    ['é', 'f', -1],
    ['e', 'é', -1],
  ])('%j vs %j: %i', (a, b, want) => {
    expect(compareNames(a, b)).toBe(want);
    expect(sign(a.localeCompare(b, 'en-US'))).toBe(want);
  });

  it('orders every printable ASCII character as localeCompare does', () => {
    const chars = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i));
    expect([...chars].sort(compareNames)).toEqual([...chars].sort((a, b) => a.localeCompare(b, 'en-US')));
  });

  it('gives the sign of localeCompare for any printable ASCII strings', () => {
    fc.assert(
      fc.property(
        printable,
        printable,
        (a, b) => sign(compareNames(a, b)) === sign(a.localeCompare(b, 'en-US')),
      ),
      { numRuns: 5000 },
    );
    fc.assert(
      fc.property(
        nameLike,
        nameLike,
        (a, b) => sign(compareNames(a, b)) === sign(a.localeCompare(b, 'en-US')),
      ),
      { numRuns: 5000 },
    );
  });

  it.each([
    ['\u00e9t\u00e9', 'ete'],
    ['Stra\u00dfe', 'strasse'],
    ['\u65e5\u672c', 'a'],
    ['a\u0001', 'a'],
    ['tab\there', 'tab here'],
  ])('beyond printable ASCII, %j vs %j: localeCompare itself', (a, b) => {
    expect(compareNames(a, b)).toBe(a.localeCompare(b));
    expect(compareNames(b, a)).toBe(b.localeCompare(a));
  });
});
