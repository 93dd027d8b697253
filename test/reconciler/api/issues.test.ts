import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { formatPath, issueLines } from '../../../reconciler/api/issues.js';

/** The problem lines zod's issues give for `value` under `schema`. */
function lines(schema: z.ZodType, value: unknown, supported?: readonly string[]): string[] {
  const r = schema.safeParse(value, { reportInput: true });
  if (r.success) return [];
  return r.error.issues.flatMap((i) => issueLines('spec', i, () => supported));
}

describe('formatPath', () => {
  it.each<[PropertyKey[], string]>([
    [[], 'spec'],
    [['a', 0, 'b'], 'spec.a[0].b'],
    [['with-dash', '_u'], 'spec.with-dash._u'],
    [['a.b', '1x', ''], 'spec["a.b"]["1x"][""]'],
  ])('%j -> %s', (path, want) => {
    expect(formatPath('spec', path)).toBe(want);
  });
});

describe('issueLines', () => {
  it.each<[string, z.ZodType, unknown, string[]]>([
    ['missing', z.object({ a: z.string() }), {}, ['spec.a: required field is missing']],
    ['wrong type', z.object({ a: z.string() }), { a: [1] }, ['spec.a: expected string, got array']],
    ['null', z.object({ a: z.string() }), { a: null }, ['spec.a: expected string, got null']],
    ['integer expected', z.object({ a: z.int() }), { a: 1.5 }, ['spec.a: expected integer, got number']],
    [
      'object expected',
      z.object({ a: z.record(z.string(), z.string()) }),
      { a: 1 },
      ['spec.a: expected object, got integer'],
    ],
    ['a fraction', z.object({ a: z.string() }), { a: 1.5 }, ['spec.a: expected string, got number']],
    ['one literal', z.object({ a: z.literal('x') }), { a: 'y' }, ['spec.a: must be "x" (got "y")']],
    [
      'an enum',
      z.object({ a: z.enum(['x', 'y']) }),
      { a: 'z' },
      ['spec.a: must be one of "x", "y" (got "z")'],
    ],
    ['a short string', z.object({ a: z.string().min(1) }), { a: '' }, ['spec.a: must not be empty']],
    [
      'a minimum length',
      z.object({ a: z.string().min(3) }),
      { a: 'ab' },
      ['spec.a: must be at least 3 characters'],
    ],
    [
      'a maximum length',
      z.object({ a: z.string().max(2) }),
      { a: 'abc' },
      ['spec.a: must be at most 2 characters'],
    ],
    [
      'too few items',
      z.object({ a: z.array(z.int()).min(2) }),
      { a: [1] },
      ['spec.a: must have at least 2 items'],
    ],
    [
      'too many items',
      z.object({ a: z.array(z.int()).max(1) }),
      { a: [1, 2] },
      ['spec.a: must have at most 1 items'],
    ],
    ['a minimum', z.object({ a: z.int().min(1) }), { a: 0 }, ['spec.a: must be >= 1 (got 0)']],
    ['an exclusive minimum', z.object({ a: z.number().gt(1) }), { a: 1 }, ['spec.a: must be > 1 (got 1)']],
    ['a maximum', z.object({ a: z.int().max(5) }), { a: 9 }, ['spec.a: must be <= 5 (got 9)']],
    ['an exclusive maximum', z.object({ a: z.number().lt(5) }), { a: 5 }, ['spec.a: must be < 5 (got 5)']],
    [
      'a pattern',
      z.object({ a: z.string().regex(/^x$/, { error: 'must be x' }) }),
      { a: 'y' },
      ['spec.a: must be x'],
    ],
    [
      'a date-time',
      z.object({ a: z.iso.datetime() }),
      { a: 'y' },
      ['spec.a: must be an RFC 3339 date-time (e.g. 2024-01-02T03:04:05Z)'],
    ],
    ['an email', z.object({ a: z.email() }), { a: 'y' }, ['spec.a: must be a valid email']],
    [
      'a tagged union without its tag',
      z.object({
        a: z.discriminatedUnion('type', [
          z.object({ type: z.literal('x') }),
          z.object({ type: z.literal('y') }),
        ]),
      }),
      { a: {} },
      ['spec.a.type: required field is missing (one of "x", "y")'],
    ],
    [
      'a tagged union with another tag',
      z.object({
        a: z.discriminatedUnion('type', [
          z.object({ type: z.literal('x') }),
          z.object({ type: z.literal('y') }),
        ]),
      }),
      { a: { type: 'z' } },
      ['spec.a.type: must be one of "x", "y" (got "z")'],
    ],
    [
      'a union',
      z.object({ a: z.union([z.string(), z.int()]) }),
      { a: true },
      ['spec.a: does not match any allowed form'],
    ],
  ])('%s', (_n, schema, value, want) => {
    expect(lines(schema, value)).toEqual(want);
  });

  it('an invalid key names the problem of the key', () => {
    const out = lines(z.object({ a: z.record(z.string().min(2), z.string()) }), { a: { x: 'v' } });
    expect(out).toEqual(['spec.a.x: invalid key: must be at least 2 characters']);
  });

  it.each([
    ['foo', [], 'spec.foo: unknown field (supported: )'],
    ['foo', ['b', 'a'], 'spec.foo: unknown field (supported: a, b)'],
    [
      'password',
      ['a'],
      'spec.password: unknown field (supported: a); credentials are read from Kubernetes Secrets (a *SecretRef field)',
    ],
    [
      'apiToken',
      undefined,
      'spec.apiToken: unknown field; credentials are read from Kubernetes Secrets (a *SecretRef field)',
    ],
    [
      'accessKey',
      undefined,
      'spec.accessKey: unknown field; credentials are read from Kubernetes Secrets (a *SecretRef field)',
    ],
    [
      'clientSecret',
      undefined,
      'spec.clientSecret: unknown field; credentials are read from Kubernetes Secrets (a *SecretRef field)',
    ],
    ['keyring', undefined, 'spec.keyring: unknown field'],
  ])('an unknown field %s (supported %j)', (key, supported, want) => {
    expect(lines(z.strictObject({}), { [key]: 1 }, supported)).toEqual([want]);
  });

  it('one line per unknown key', () => {
    expect(lines(z.strictObject({}), { b: 1, a: 2 }, ['z'])).toEqual([
      'spec.b: unknown field (supported: z)',
      'spec.a: unknown field (supported: z)',
    ]);
  });

  it('never echoes a string that might be secret', () => {
    const out = lines(z.object({ a: z.int(), b: z.string().max(2) }), { a: 'hunter2', b: 'hunter2' });
    expect(out.join('\n')).not.toContain('hunter2');
  });
});
