import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { supportedKeysAt } from '../../../reconciler/api/schema-walk.js';

const leaf = z.strictObject({ a: z.string(), b: z.string() });
const x = z.strictObject({ t: z.literal('x'), xa: z.string() });
const y = z.strictObject({ t: z.literal('y'), ya: z.string(), yb: z.int() });
const schema = z.strictObject({
  plain: leaf,
  wrapped: leaf.optional().nullable().default({ a: '', b: '' }),
  piped: leaf.transform((v) => v.a),
  list: z.array(leaf),
  map: z.record(z.string(), leaf),
  tagged: z.discriminatedUnion('t', [x, y]),
  either: z.union([z.string(), leaf, z.strictObject({ other: z.string() })]),
  scalar: z.string(),
  scalars: z.array(z.string()),
});

// The keys named in an "unknown field" error: the object schema at the path the error is at, seen
// through zod's wrappers, pipes and unions (a discriminated one by the input's tag).
describe('supportedKeysAt', () => {
  it.each<[string, PropertyKey[], unknown, string[] | undefined]>([
    [
      'the root',
      [],
      {},
      ['plain', 'wrapped', 'piped', 'list', 'map', 'tagged', 'either', 'scalar', 'scalars'],
    ],
    ['an object field', ['plain'], { plain: {} }, ['a', 'b']],
    ['through optional, nullable and default', ['wrapped'], { wrapped: {} }, ['a', 'b']],
    ['through a transform (pipe)', ['piped'], { piped: {} }, ['a', 'b']],
    ['a list item', ['list', 3], { list: [] }, ['a', 'b']],
    ['a map value', ['map', 'k'], { map: { k: {} } }, ['a', 'b']],
    ['a discriminated union by its tag', ['tagged'], { tagged: { t: 'y' } }, ['t', 'ya', 'yb']],
    ['a discriminated union, the other tag', ['tagged'], { tagged: { t: 'x' } }, ['t', 'xa']],
    [
      'a discriminated union with an unknown tag: its first object',
      ['tagged'],
      { tagged: { t: 'z' } },
      ['t', 'xa'],
    ],
    ['a discriminated union whose input is no object', ['tagged'], { tagged: 5 }, ['t', 'xa']],
    ['a union: its first object member', ['either'], { either: {} }, ['a', 'b']],
    ['a scalar field has no keys', ['scalar'], { scalar: 's' }, undefined],
    ['a path below a scalar', ['scalar', 'deeper'], { scalar: 's' }, undefined],
    ['a list of scalars', ['scalars', 0], { scalars: ['s'] }, undefined],
    ['a field the schema does not have', ['nope', 'a'], { nope: {} }, undefined],
    ['an input that is not an object on the way', ['tagged'], null, ['t', 'xa']],
  ])('%s', (_n, path, input, want) => {
    expect(supportedKeysAt(schema, path, input)).toEqual(want);
  });
});
