/**
 * The field walk's rules on a small profile of its own, so that each rule is seen alone: zero values,
 * server defaults, strict and owned removals, keep-empty objects, maps, skips and array lengths.
 * `toStrictEqual`, because a change without `from` (an addition) must not carry `from: undefined`.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DiffProfile } from '../../../reconciler/plan/defaults.js';
import { deepEqual, diffSpec, normalize } from '../../../reconciler/plan/diff.js';

const P: DiffProfile = {
  defaults: { R: 1, 'Obj.D': 'x', 'A[*]': 7, Zero: 0 },
  maps: ['M', 'L[*].M'],
  skip: ['S'],
  keepEmpty: ['G', 'L[*].K'],
  owned: ['O', 'Deep.Inner', 'Deep.Alpha'],
};
const diff = (d: unknown, o: unknown, strict = false) => diffSpec(d, o, { profile: P, strict });

describe('diffSpec: the walk', () => {
  it.each<[string, unknown, unknown, object[]]>([
    ['an added field has no from', { X: 5 }, {}, [{ path: 'X', to: 5 }]],
    ['an observed null is absent', { X: 5 }, { X: null }, [{ path: 'X', to: 5 }]],
    ['a changed scalar', { X: 5 }, { X: 6 }, [{ path: 'X', from: 6, to: 5 }]],
    ['an equal scalar', { X: 5 }, { X: 5 }, []],
    ['the server default stands in for an absent field', { R: 1 }, {}, []],
    ['and for a null one', { R: 1 }, { R: null }, []],
    ['a desired null is absent', { R: null }, { R: 1 }, []],
    ['a zero where the default is not zero is a value', { R: 0 }, {}, [{ path: 'R', to: 0 }]],
    ['a zero default is a zero', { Zero: 0 }, {}, []],
    ...(['false', '0', '""', 'null', '[]', '{}'] as const).map((z): [string, unknown, unknown, object[]] => [
      `desired zero ${z} is absent`,
      { X: JSON.parse(z) },
      {},
      [],
    ]),
    ...(['false', '0', '""', '[]', '{}'] as const).map((z): [string, unknown, unknown, object[]] => [
      `observed zero ${z} is absent, even strict`,
      {},
      { X: JSON.parse(z) },
      [],
    ]),
    [
      'an object replaced by a scalar is one change',
      { Obj: { a: 1 } },
      { Obj: 5 },
      [{ path: 'Obj', from: 5, to: { a: 1 } }],
    ],
    [
      'an array replaced by a scalar is one change',
      { A: [1] },
      { A: 'x' },
      [{ path: 'A', from: 'x', to: [1] }],
    ],
    ['a longer desired array adds at its index', { A: [1, 2] }, { A: [1] }, [{ path: 'A[1]', to: 2 }]],
    [
      'an added element equal to the default is still added',
      { A: [1, 7] },
      { A: [1] },
      [{ path: 'A[1]', to: 7 }],
    ],
    ['a shorter desired array removes at its index', { A: [1] }, { A: [1, 2] }, [{ path: 'A[1]', from: 2 }]],
    [
      'nested objects are walked field by field',
      { Obj: { a: 1, b: 2 } },
      { Obj: { a: 1, b: 3 } },
      [{ path: 'Obj.b', from: 3, to: 2 }],
    ],
    ['a skipped field is never compared', { S: 1 }, { S: 2 }, []],
  ])('%s', (_n, d, o, want) => {
    expect(diff(d, o)).toStrictEqual(want);
  });

  it('reports the changes in key order, whatever order the specs list them in', () => {
    expect(diff({ Z: 1, A: 1, M: { z: '1', a: '1' } }, { A: 2, Z: 2, M: {} })).toStrictEqual([
      { path: 'A', from: 2, to: 1 },
      { path: 'M.a', to: '1' },
      { path: 'M.z', to: '1' },
      { path: 'Z', from: 2, to: 1 },
    ]);
  });
});

describe('diffSpec: removals (strict, or owned fields)', () => {
  it.each<[string, unknown, unknown, boolean, object[]]>([
    ['not strict: an extra observed field is the server filling it', {}, { X: 5 }, false, []],
    ['strict: an extra observed field is a removal', {}, { X: 5 }, true, [{ path: 'X', from: 5 }]],
    ['strict: an observed server default is no removal', {}, { R: 1 }, true, []],
    ['strict: an observed value other than the default is', {}, { R: 2 }, true, [{ path: 'R', from: 2 }]],
    [
      'strict: extra fields in key order',
      {},
      { Y: 1, X: 2 },
      true,
      [
        { path: 'X', from: 2 },
        { path: 'Y', from: 1 },
      ],
    ],
    [
      'strict: below an absent object, field by field',
      {},
      { Obj: { b: 1, a: 2 } },
      true,
      [
        { path: 'Obj.a', from: 2 },
        { path: 'Obj.b', from: 1 },
      ],
    ],
    ['strict: an object kept when empty is a removal', {}, { G: {} }, true, [{ path: 'G', from: {} }]],
    [
      'strict: a kept-empty object with fields is walked',
      {},
      { G: { a: 1 } },
      true,
      [{ path: 'G.a', from: 1 }],
    ],
    ['an owned field is a removal without strict', {}, { O: [1] }, false, [{ path: 'O', from: [1] }]],
    [
      'so is an owned field below an absent object',
      { Y: 1 },
      { Y: 1, Deep: { Other: 2, Inner: 'v' } },
      false,
      [{ path: 'Deep.Inner', from: 'v' }],
    ],
    [
      'owned fields below an absent object, in key order',
      {},
      { Deep: { Inner: 1, Alpha: 2 } },
      false,
      [
        { path: 'Deep.Alpha', from: 2 },
        { path: 'Deep.Inner', from: 1 },
      ],
    ],
    ['and below an absent root', undefined, { O: 'v' }, false, [{ path: 'O', from: 'v' }]],
    ['and below an empty root', {}, { Deep: { Inner: 3 } }, false, [{ path: 'Deep.Inner', from: 3 }]],
    ['an absent owned field observed zero is no removal', {}, { O: [] }, false, []],
  ])('%s', (_n, d, o, strict, want) => {
    expect(diff(d, o, strict)).toStrictEqual(want);
  });
});

describe('diffSpec: maps', () => {
  it.each<[string, unknown, unknown, boolean, object[]]>([
    [
      'an extra key is drift',
      { M: { a: '1' } },
      { M: { a: '1', b: '2' } },
      false,
      [{ path: 'M.b', from: '2' }],
    ],
    ['an absent map is not compared unless strict', {}, { M: { b: '2' } }, false, []],
    ['strict: an absent map removes every key', {}, { M: { b: '2' } }, true, [{ path: 'M.b', from: '2' }]],
    ['values compare deeply', { M: { a: { x: [1] } } }, { M: { a: { x: [1] } } }, false, []],
    [
      'a deep value that differs',
      { M: { a: { x: [1] } } },
      { M: { a: { x: [2] } } },
      false,
      [{ path: 'M.a', from: { x: [2] }, to: { x: [1] } }],
    ],
    [
      'a map in an array element',
      { L: [{ M: { a: '1' } }] },
      { L: [{ M: { b: '1' } }] },
      false,
      [
        { path: 'L[0].M.a', to: '1' },
        { path: 'L[0].M.b', from: '1' },
      ],
    ],
  ])('%s', (_n, d, o, strict, want) => {
    expect(diff(d, o, strict)).toStrictEqual(want);
  });
});

describe('normalize', () => {
  it('drops zero fields by path, keeping what the profile keeps', () => {
    const v = { X: 0, R: 0, G: {}, Obj: { a: '' }, L: [{ K: {}, J: {} }], A: [] };
    expect(normalize(v, [], P)).toStrictEqual({ G: {}, L: [{ K: {} }], R: 0 });
  });

  it('reads the defaults of a nested path', () => {
    expect(normalize({ R: 0, B: 1 }, ['Top'], P)).toStrictEqual({ B: 1 });
    expect(normalize({ K: {} }, ['L', 3], P)).toStrictEqual({ K: {} });
    expect(normalize({ R: 0 }, [], P)).toStrictEqual({ R: 0 });
  });
});

describe('deepEqual', () => {
  it.each<[unknown, unknown, boolean]>([
    [[1, 2], [1, 2], true],
    [[1, 2], [1], false],
    [[1], [1, 2], false],
    [[1, 2], [1, 3], false],
    [[], {}, false],
    [{}, [], false],
    [{ a: 1 }, { a: 1 }, true],
    [{ a: 1, b: undefined }, { a: 1 }, true],
    [{ a: undefined }, { b: undefined }, true],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ a: 1, b: 2 }, { a: 1 }, false],
    [{ a: 1 }, { b: 1 }, false],
    [{ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 2 }] } }, true],
    [{ a: { b: [1, { c: 2 }] } }, { a: { b: [1, { c: 3 }] } }, false],
    [1, '1', false],
    [null, undefined, false],
  ])('%j and %j: %s', (a, b, want) => {
    expect(deepEqual(a, b)).toBe(want);
    expect(deepEqual(b, a)).toBe(want);
  });

  // through JSON, as the Engine's specs come: no -0, which === takes for 0
  const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
  it('is structural equality on JSON values', () => {
    fc.assert(
      fc.property(json, json, (a, b) => deepEqual(a, b) === isDeepStrictEqual(a, b)),
      { numRuns: 300 },
    );
  });

  it('holds for a copy, and not for a copy with one leaf changed', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 1, maxLength: 5 }), (xs) => {
        const copy = structuredClone(xs);
        copy[copy.length - 1] = { changed: xs };
        return deepEqual(xs, structuredClone(xs)) && !deepEqual(xs, copy);
      }),
      { numRuns: 200 },
    );
  });
});
