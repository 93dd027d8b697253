import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { structuralSchema } from '../../../reconciler/api/crd.js';
import { toStructural } from '../../../reconciler/api/structural.js';

describe('structuralSchema', () => {
  it.each<[string, z.ZodType, unknown]>([
    ['int >= 0 loses the safe-integer max', z.int().min(0), { type: 'integer', minimum: 0 }],
    ['nullable int', z.int().min(0).nullable(), { type: 'integer', minimum: 0, nullable: true }],
    ['literal becomes an enum', z.literal('a'), { type: 'string', enum: ['a'] }],
    [
      'union of enums merges',
      z.union([z.enum(['a', 'b']), z.literal('c')]),
      { type: 'string', enum: ['a', 'b', 'c'] },
    ],
    ['date-time keeps only the format', z.iso.datetime(), { type: 'string', format: 'date-time' }],
    [
      'record keeps additionalProperties, drops propertyNames',
      z.record(z.string().regex(/^[A-Z]+$/), z.string()),
      { type: 'object', additionalProperties: { type: 'string' } },
    ],
    [
      'strict object drops additionalProperties: false',
      z.strictObject({ a: z.string(), b: z.boolean().default(false) }),
      {
        type: 'object',
        properties: { a: { type: 'string' }, b: { type: 'boolean', default: false } },
        required: ['a'],
      },
    ],
    [
      'discriminated union merges into one object with CEL per type',
      z.discriminatedUnion('t', [
        z.strictObject({ t: z.literal('x'), a: z.string(), n: z.int().min(0).default(1) }),
        z.strictObject({ t: z.literal('y'), b: z.string().optional() }),
      ]),
      {
        type: 'object',
        properties: {
          t: { type: 'string', enum: ['x', 'y'] },
          a: { type: 'string' },
          n: { type: 'integer', minimum: 0 },
          b: { type: 'string' },
        },
        required: ['t'],
        'x-kubernetes-validations': [
          {
            rule: "self.t != 'x' || (has(self.a) && !has(self.b))",
            message: 't x requires a and does not allow b',
          },
          { rule: "self.t != 'y' || (!has(self.a) && !has(self.n))", message: 't y does not allow a, n' },
        ],
      },
    ],
  ])('%s', (_name, schema, expected) => {
    expect(structuralSchema(schema)).toEqual(expected);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['$ref', { $ref: '#/$defs/x' }, '#: $ref/$defs are not structural'],
    ['untyped node', { description: 'x' }, '#: node has no type'],
    ['any object', { type: 'object', additionalProperties: {} }, '#: object accepts anything'],
    [
      'mixed union',
      { anyOf: [{ type: 'string' }, { type: 'integer' }] },
      '#: union of different types (string, integer)',
    ],
    [
      'unknown keyword',
      { type: 'string', contentEncoding: 'base64' },
      '#: unsupported JSON Schema keyword "contentEncoding"',
    ],
  ])('refuses %s', (_name, input, message) => {
    expect(() => toStructural(input)).toThrow(message);
  });
});
