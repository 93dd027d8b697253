import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  interpolateString,
  InterpolationError,
  prepareTree,
} from '../../../reconciler/compose/interpolate.js';
import { Problems } from '../../../reconciler/compose/problems.js';
import type { AggregateSwarmkeeperError } from '../../../reconciler/errors.js';

const ENV = { A: 'alpha', EMPTY: '', N: '3', _X1: 'x' };

describe('interpolateString', () => {
  it.each([
    ['no variables', 'plain text', 'plain text'],
    ['braced', '${A}', 'alpha'],
    ['unbraced', '$A-$N', 'alpha-3'],
    ['unbraced stops at a non-name character', '$A.b', 'alpha.b'],
    ['underscore and digits in names', '${_X1}$_X1', 'xx'],
    ['missing -> empty', 'a${MISSING}b$MISSING', 'ab'],
    [':- with unset', '${MISSING:-def}', 'def'],
    [':- with empty', '${EMPTY:-def}', 'def'],
    [':- with set', '${A:-def}', 'alpha'],
    ['- with unset', '${MISSING-def}', 'def'],
    ['- with empty keeps empty', '${EMPTY-def}', ''],
    ['default may contain spaces and colons', '${MISSING:-a b:c}', 'a b:c'],
    ['empty default', '${MISSING:-}', ''],
    [':? with set', '${A:?must be set}', 'alpha'],
    ['? with empty is fine', '${EMPTY?must be set}', ''],
    ['$$ escapes', '$$A costs $$5', '$A costs $5'],
    ['several in one string', '${A}:${N}/${MISSING-z}', 'alpha:3/z'],
  ])('%s: %s', (_t, input, out) => {
    expect(interpolateString(input, ENV)).toBe(out);
  });

  it.each([
    [
      ':? with unset',
      '${MISSING:?needs MISSING}',
      'required variable MISSING is missing a value: needs MISSING',
    ],
    [':? with empty', '${EMPTY:?no empty}', 'required variable EMPTY is missing a value: no empty'],
    ['? with unset', '${MISSING?gone}', 'required variable MISSING is missing a value: gone'],
    [
      'lone $',
      'cost $5',
      'invalid interpolation format in "cost $5": a "$" must start a variable or be escaped as "$$"',
    ],
    [
      'trailing $',
      'end$',
      'invalid interpolation format in "end$": a "$" must start a variable or be escaped as "$$"',
    ],
    [
      'unterminated brace',
      '${A',
      'invalid interpolation format in "${A": a "$" must start a variable or be escaped as "$$"',
    ],
    ['bad name', '${A B}', 'invalid interpolation format in "${A B}": "${A B}" is not a valid variable'],
    [
      'unsupported operator',
      '${A:+x}',
      'invalid interpolation format in "${A:+x}": "${A:+x}" is not a valid variable',
    ],
  ])('%s fails', (_t, input, message) => {
    expect(() => interpolateString(input, ENV)).toThrow(new InterpolationError(message));
  });

  it('leaves text without "$" unchanged (property)', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('$')),
        (s) => interpolateString(s, ENV) === s,
      ),
    );
  });

  it('$$-escaping any text round-trips (property)', () => {
    fc.assert(fc.property(fc.string(), (s) => interpolateString(s.replaceAll('$', '$$$$'), ENV) === s));
  });
});

describe('prepareTree', () => {
  const run = (value: unknown, env: Record<string, string> = {}) => {
    const problems = new Problems('s.yml', () => undefined);
    const out = prepareTree(value, env, problems);
    let errors: string[] = [];
    try {
      problems.throwIfAny();
    } catch (e) {
      errors = (e as AggregateSwarmkeeperError).errors.map((x) => `${x.code} ${x.message}`);
    }
    return { out, errors, warnings: problems.warnings };
  };

  it('drops x-* keys except in data maps (below the top) and in name maps (at the top)', () => {
    const { out } = run({
      'x-top': 1,
      services: { 'x-svc': { image: 'a', 'x-note': 1, labels: { 'x-l': '1' }, deploy: { 'x-d': 1 } } },
      labels: { 'x-top-level-labels': 1 },
      networks: { n: { driver_opts: { 'x-o': '1' } } },
    });
    expect(out).toEqual({
      services: { 'x-svc': { image: 'a', labels: { 'x-l': '1' }, deploy: {} } },
      labels: {},
      networks: { n: { driver_opts: { 'x-o': '1' } } },
    });
  });

  it('warns once per string for each unset variable and substitutes ""', () => {
    const { out, warnings, errors } = run({ a: '${U}${U}$V', b: ['${U}'] });
    expect(out).toEqual({ a: '', b: [''] });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([
      's.yml: a: variable U is not set; substituting an empty string (as docker does)',
      's.yml: a: variable V is not set; substituting an empty string (as docker does)',
      's.yml: b[0]: variable U is not set; substituting an empty string (as docker does)',
    ]);
  });

  it('refuses a NUL byte in a value (also one interpolated) or a key; keeps the bad string', () => {
    const { out, errors } = run({ a: 'x\0y', b: '${Z}', 'k\0': 1, c: '$5' }, { Z: 'z\0' });
    expect(errors).toEqual([
      `SK_ERR_COMPOSE_INVALID s.yml: a: contains a NUL byte; Docker cannot pass it on (Linux takes arguments, environment and paths as C strings: Go's syscall.ByteSliceFromString fails with "invalid argument")`,
      `SK_ERR_COMPOSE_INVALID s.yml: b: contains a NUL byte; Docker cannot pass it on (Linux takes arguments, environment and paths as C strings: Go's syscall.ByteSliceFromString fails with "invalid argument")`,
      `SK_ERR_COMPOSE_INVALID s.yml: the key "k\\u0000" contains a NUL byte; Docker cannot pass it on (Linux takes arguments, environment and paths as C strings: Go's syscall.ByteSliceFromString fails with "invalid argument")`,
      'SK_ERR_COMPOSE_INTERPOLATION s.yml: c: invalid interpolation format in "$5": a "$" must start a variable or be escaped as "$$"',
    ]);
    expect(out).toEqual({ a: 'x\0y', b: 'z\0', c: '$5' });
  });

  it('redacts interpolated values in later problems', () => {
    const { errors } = run({ a: '${PW}', b: 'hunter2 $' }, { PW: 'hunter2' });
    expect(errors).toEqual([
      'SK_ERR_COMPOSE_INTERPOLATION s.yml: b: invalid interpolation format in "[redacted] $": a "$" must start a variable or be escaped as "$$"',
    ]);
  });

  it('leaves numbers, booleans and null alone', () =>
    expect(run({ a: 1, b: true, c: null }).out).toEqual({ a: 1, b: true, c: null }));
});
