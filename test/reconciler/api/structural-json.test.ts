import { describe, expect, it } from 'vitest';
import { type JsonSchema, toStructural } from '../../../reconciler/api/structural.js';

const MAX = Number.MAX_SAFE_INTEGER;
const PRESERVE = 'x-kubernetes-preserve-unknown-fields';
const CEL = 'x-kubernetes-validations';

// Kubernetes' structural schema rules (the API server refuses anything else): a type on every
// node, no $ref, no allOf/anyOf/oneOf/not, no `properties` beside `additionalProperties`.
describe('toStructural: JSON Schema -> a structural schema', () => {
  it.each<[string, JsonSchema, JsonSchema]>([
    [
      'x-kubernetes-preserve-unknown-fields keeps only the meta keys',
      { type: 'object', [PRESERVE]: true, description: 'd', properties: { a: { type: 'string' } } },
      { description: 'd', type: 'object', [PRESERVE]: true },
    ],
    ['const integer', { const: 5 }, { type: 'integer', enum: [5] }],
    ['const number', { const: 1.5 }, { type: 'number', enum: [1.5] }],
    ['const boolean', { const: true }, { type: 'boolean', enum: [true] }],
    ['const string', { const: 'a' }, { type: 'string', enum: ['a'] }],
    [
      'an enum without a type takes its first value type',
      { enum: ['a', 'b'] },
      { type: 'string', enum: ['a', 'b'] },
    ],
    [
      'integer: the safe-integer bounds zod adds go',
      { type: 'integer', minimum: -MAX, maximum: MAX },
      { type: 'integer' },
    ],
    [
      'integer: other bounds stay',
      { type: 'integer', minimum: 0, maximum: 10 },
      { type: 'integer', minimum: 0, maximum: 10 },
    ],
    [
      'number: bounds stay',
      { type: 'number', minimum: -MAX, maximum: MAX },
      { type: 'number', minimum: -MAX, maximum: MAX },
    ],
    [
      'date-time keeps the format, not the pattern',
      { type: 'string', format: 'date-time', pattern: 'x' },
      { type: 'string', format: 'date-time' },
    ],
    [
      'another format keeps its pattern',
      { type: 'string', format: 'email', pattern: 'x' },
      { type: 'string', format: 'email', pattern: 'x' },
    ],
    [
      'dropped bookkeeping keys',
      { $schema: 's', $id: 'i', id: 'i', title: 't', examples: [1], type: 'string', propertyNames: {} },
      { type: 'string' },
    ],
    [
      'an empty required list goes',
      { type: 'object', properties: { a: { type: 'string' } }, required: [] },
      { type: 'object', properties: { a: { type: 'string' } } },
    ],
    [
      'a map of values',
      { type: 'object', additionalProperties: { type: 'string', title: 't' } },
      { type: 'object', additionalProperties: { type: 'string' } },
    ],
    [
      'additionalProperties: false alone',
      { type: 'object', additionalProperties: false },
      { type: 'object' },
    ],
    [
      'properties win over additionalProperties: false',
      {
        type: 'object',
        properties: { a: { type: 'integer', minimum: -MAX } },
        additionalProperties: false,
        required: ['a'],
      },
      { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] },
    ],
    [
      'a union with null is nullable',
      { anyOf: [{ type: 'string' }, { type: 'null' }] },
      { type: 'string', nullable: true },
    ],
    [
      'oneOf like anyOf',
      { oneOf: [{ type: 'string' }, { type: 'null' }] },
      { type: 'string', nullable: true },
    ],
    [
      'a nullable union node',
      { anyOf: [{ type: 'string' }], nullable: true },
      { type: 'string', nullable: true },
    ],
    [
      'a union without null is not nullable',
      { anyOf: [{ type: 'string', maxLength: 3 }] },
      { type: 'string', maxLength: 3 },
    ],
    [
      'a one-member union keeps all of it (an enum with its description)',
      { anyOf: [{ type: 'string', enum: ['a'], description: 'd' }, { type: 'null' }] },
      { description: 'd', type: 'string', enum: ['a'], nullable: true },
    ],
    [
      "a member's own description wins over the union node's",
      { description: 'top', anyOf: [{ type: 'string', description: 'inner' }, { type: 'null' }] },
      { description: 'inner', type: 'string', nullable: true },
    ],
    [
      'no discriminator when one alternative allows several tag values',
      {
        anyOf: [
          { type: 'object', properties: { t: { enum: ['x', 'z'] } }, required: ['t'] },
          { type: 'object', properties: { t: { const: 'y' } }, required: ['t'] },
        ],
      },
      { type: 'object', properties: { t: { type: 'string', enum: ['x', 'z', 'y'] } }, required: ['t'] },
    ],
    [
      'a union of arrays merges the items',
      {
        anyOf: [
          { type: 'array', items: { type: 'string', enum: ['a'] } },
          { type: 'array', items: { type: 'string', enum: ['b'] } },
        ],
      },
      { type: 'array', items: { type: 'string', enum: ['a', 'b'] } },
    ],
    [
      'a union of scalars keeps what all share, and the first description',
      {
        anyOf: [
          { type: 'string', minLength: 1, maxLength: 9, description: 'x' },
          { type: 'string', minLength: 2, maxLength: 9, description: 'y' },
        ],
      },
      { description: 'x', type: 'string', maxLength: 9 },
    ],
    [
      "a union node's own description and default are kept",
      { description: 'top', default: 'a', anyOf: [{ type: 'string' }, { type: 'string', enum: ['a'] }] },
      { description: 'top', type: 'string', default: 'a' },
    ],
    [
      'a union of objects: required is what every alternative requires; a default of one alternative goes',
      {
        anyOf: [
          {
            type: 'object',
            properties: { a: { type: 'string' }, n: { type: 'integer', default: 1 } },
            required: ['a', 'n'],
          },
          {
            type: 'object',
            properties: { a: { type: 'string' }, m: { type: 'integer', default: 2 } },
            required: ['a'],
          },
        ],
      },
      {
        type: 'object',
        properties: { a: { type: 'string' }, n: { type: 'integer' }, m: { type: 'integer' } },
        required: ['a'],
      },
    ],
    [
      'a union of objects: a default all alternatives share stays, different ones go',
      {
        anyOf: [
          {
            type: 'object',
            properties: { s: { type: 'integer', default: 1 }, d: { type: 'integer', default: 1 } },
          },
          {
            type: 'object',
            properties: { s: { type: 'integer', default: 1 }, d: { type: 'integer', default: 2 } },
          },
        ],
      },
      { type: 'object', properties: { s: { type: 'integer', default: 1 }, d: { type: 'integer' } } },
    ],
    [
      'a discriminated union whose alternatives add nothing: an always-true rule per value',
      {
        anyOf: [
          { type: 'object', properties: { t: { const: 'x' } }, required: ['t'] },
          {
            type: 'object',
            properties: { t: { const: 'y' } },
            required: ['t'],
            [CEL]: [{ rule: 'true', message: 'own' }],
          },
        ],
      },
      {
        type: 'object',
        properties: { t: { type: 'string', enum: ['x', 'y'] } },
        required: ['t'],
        [CEL]: [
          { rule: "self.t != 'x' || (true)", message: 't x' },
          { rule: "self.t != 'y' || (true)", message: 't y' },
          { rule: 'true', message: 'own' },
        ],
      },
    ],
    [
      'a discriminated union with a field both require',
      {
        anyOf: [
          { type: 'object', properties: { t: { const: 'x' }, a: { type: 'string' } }, required: ['t', 'a'] },
          { type: 'object', properties: { t: { const: 'y' }, a: { type: 'string' } }, required: ['t', 'a'] },
        ],
      },
      {
        type: 'object',
        properties: { t: { type: 'string', enum: ['x', 'y'] }, a: { type: 'string' } },
        required: ['t', 'a'],
        [CEL]: [
          { rule: "self.t != 'x' || (has(self.a))", message: 't x requires a' },
          { rule: "self.t != 'y' || (has(self.a))", message: 't y requires a' },
        ],
      },
    ],
    [
      'no discriminator when the tag is optional in one alternative',
      {
        anyOf: [
          { type: 'object', properties: { t: { const: 'x' } }, required: ['t'] },
          { type: 'object', properties: { t: { const: 'y' } } },
        ],
      },
      { type: 'object', properties: { t: { type: 'string', enum: ['x', 'y'] } } },
    ],
  ])('%s', (_n, input, want) => {
    const got = toStructural(input);
    expect(got).toStrictEqual(want);
    // description and type first, then the rest as emitted
    const keys = Object.keys(got);
    expect(keys.slice(0, 'description' in got ? 2 : 1)).toEqual(
      'description' in got ? ['description', 'type'] : ['type'],
    );
  });

  it.each<[string, JsonSchema, string]>([
    ['$ref', { $ref: '#/x' }, "#: $ref/$defs are not structural; generate with reused: 'inline'"],
    ['$defs', { type: 'string', $defs: {} }, '#: $ref/$defs are not structural'],
    ['definitions', { type: 'string', definitions: {} }, '#: $ref/$defs are not structural'],
    ['allOf', { allOf: [] }, '#: allOf/not cannot be made structural'],
    ['not', { type: 'string', not: {} }, '#: allOf/not cannot be made structural'],
    ['an unknown keyword', { type: 'string', foo: 1 }, '#: unsupported JSON Schema keyword "foo"'],
    ['no type', { description: 'd' }, '#: node has no type'],
    ['a const of no JSON type', { const: null }, '#: node has no type'],
    ['an array without items', { type: 'array' }, '#: array without items'],
    ['an array whose items are a list (tuple form)', { type: 'array', items: [] }, '#: array without items'],
    [
      'an object that accepts anything',
      { type: 'object' },
      '#: object accepts anything; mark it x-kubernetes-preserve-unknown-fields',
    ],
    [
      'additionalProperties: true',
      { type: 'object', additionalProperties: true },
      '#: object accepts anything',
    ],
    ['additionalProperties: {}', { type: 'object', additionalProperties: {} }, '#: object accepts anything'],
    [
      'a union of different types',
      { anyOf: [{ type: 'string' }, { type: 'integer' }] },
      '#: union of different types (string, integer)',
    ],
    [
      'a path through properties and items',
      { type: 'object', properties: { a: { type: 'array', items: { type: 'string', foo: 1 } } } },
      '#/properties/a/items: unsupported JSON Schema keyword "foo"',
    ],
    [
      'a path through a map',
      { type: 'object', additionalProperties: { type: 'array' } },
      '#/additionalProperties: array without items',
    ],
    [
      'a path through a union',
      { anyOf: [{ type: 'string' }, { type: 'string', bar: 1 }] },
      '#/anyOf/1: unsupported JSON Schema keyword "bar"',
    ],
    [
      'a path through a union of arrays',
      {
        anyOf: [
          { type: 'array', items: { type: 'string' } },
          { type: 'array', items: { type: 'integer' } },
        ],
      },
      '#/items: union of different types (string, integer)',
    ],
    [
      'a path through a merged property',
      {
        anyOf: [
          { type: 'object', properties: { p: { type: 'string' } } },
          { type: 'object', properties: { p: { type: 'integer' } } },
        ],
      },
      '#/p: union of different types (string, integer)',
    ],
  ])('refuses %s', (_n, input, message) => {
    expect(() => toStructural(input)).toThrow(message);
  });
});
