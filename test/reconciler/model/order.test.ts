import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byKey, compareNames, compareText } from '../../../reconciler/model/order.js';

describe('compareText: code-unit order, as Go sorts strings', () => {
  it.each([
    ['B', 'a', -1],
    ['a', 'B', 1],
    ['a', 'a', 0],
    ['a', 'ab', -1],
    ['a10', 'a9', -1],
    ['é', 'z', 1],
  ])('%s against %s', (a, b, want) => {
    expect(compareText(a, b)).toBe(want);
  });
  it('numbers compare as numbers', () => {
    expect([10, 9, 100].sort(compareText)).toEqual([9, 10, 100]);
  });

  // long arrays: V8's sort gallops over runs there and reads the comparator's sign both ways
  it('sorts any list of strings as the default sort does (UTF-16 code units)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary' }), { maxLength: 300 }), (xs) => {
        expect([...xs].sort(compareText)).toEqual([...xs].sort());
      }),
    );
  });
  it('is antisymmetric and zero only for equal values', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(compareText(a, b) + compareText(b, a)).toBe(0);
        expect(compareText(a, b) === 0).toBe(a === b);
      }),
    );
  });
  it('byKey orders by the key, keeping equal keys in their order', () => {
    const xs = [
      { n: 'b', i: 1 },
      { n: 'a', i: 2 },
      { n: 'b', i: 3 },
    ];
    expect(xs.sort(byKey((x) => x.n)).map((x) => x.i)).toEqual([2, 1, 3]);
  });
});

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
