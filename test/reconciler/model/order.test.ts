import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { byKey, compareText } from '../../../reconciler/model/order.js';

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
