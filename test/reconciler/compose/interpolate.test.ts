import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interpolateString, InterpolationError } from '../../../reconciler/compose/interpolate.js';

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
