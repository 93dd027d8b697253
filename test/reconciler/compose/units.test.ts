import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goScalarString, goTimestamp, parseCPUs, shellSplit } from '../../../reconciler/compose/units.js';

describe('compose value syntaxes', () => {
  it.each([
    ['0.5', 5e8],
    [2, 2e9],
    ['.25', 2.5e8],
    ['abc', undefined],
    ['-1', undefined],
  ])('cpus %s', (s, n) => expect(parseCPUs(s)).toBe(n));

  it.each([
    ['httpd -f -p "8080"', ['httpd', '-f', '-p', '8080']],
    [`sh -c 'echo "a b"'`, ['sh', '-c', 'echo "a b"']],
    ['a\\ b  c', ['a b', 'c']],
    ['"x \\"y\\""', ['x "y"']],
    ['""', ['']],
    ['  ', []],
  ])('shellSplit %s', (s, words) => expect(shellSplit(s)).toEqual(words));

  it('single-quoting words round-trips through shellSplit (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string().filter((w) => !w.includes("'"))), (words) => {
        expect(shellSplit(words.map((w) => `'${w}'`).join(' '))).toEqual(words);
      }),
    );
  });
});

describe('goTimestamp: what docker/cli 28 prints for an unquoted YAML timestamp', () => {
  it.each([
    ['2024-01-31', '2024-01-31 00:00:00 +0000 UTC'],
    ['2024-1-5', '2024-01-05 00:00:00 +0000 UTC'],
    ['2024-01-31T10:20:30Z', '2024-01-31 10:20:30 +0000 UTC'],
    ['2024-01-31t10:20:30.500Z', '2024-01-31 10:20:30.5 +0000 UTC'],
    ['2024-01-31T10:20:30+01:00', '2024-01-31 10:20:30 +0100 +0100'],
    ['2001-12-14 21:59:43.10', '2001-12-14 21:59:43.1 +0000 UTC'],
    ['2001-12-14 21:59:43.10 -5', undefined],
    ['2024-02-30', undefined],
    ['2024-01-31T10:20:30', undefined],
    ['24-01-31', undefined],
    ['2024-13-01', undefined],
    ['2024-01-31T24:00:00Z', undefined],
    ['2024-01-31T23:60:00Z', undefined],
    ['2024-01-31T23:59:60Z', undefined],
    ['2024-01-31T23:59:59Z', '2024-01-31 23:59:59 +0000 UTC'],
    ['2024-01-31T10:20:30-00:00', '2024-01-31 10:20:30 +0000 UTC'],
    ['2024-01-31T10:20:30.0500Z', '2024-01-31 10:20:30.05 +0000 UTC'],
  ])('%s -> %s', (text, want) => {
    expect(goTimestamp(text)).toBe(want);
  });
});

describe('compose units: the edges of each syntax', () => {
  it.each<[string | number, number | undefined]>([
    ['1.', 1e9],
    ['0', 0],
    [' 2 ', 2e9],
    [0.5, 5e8],
    ['99999999999', undefined],
    ['1e3', undefined],
    ['12.5', 12.5e9],
  ])('cpus %j', (s, n) => expect(parseCPUs(s)).toBe(n));

  it.each<[string, string[] | string]>([
    ['a\tb\nc\rd', ['a', 'b', 'c', 'd']],
    ['"a\\$b\\`c\\\\d\\e"', ['a$b`c\\d\\e']],
    ["a'b'c", ['abc']],
    ['a""b', ['ab']],
    ["'unterminated", 'unterminated single quote'],
    ['"x', 'unterminated double quote'],
    // a backslash at the very end escapes nothing; an escaped blank alone is a word
    ['a\\', ['a']],
    ['\\ ', [' ']],
  ])('shellSplit %j', (s, want) =>
    typeof want === 'string'
      ? expect(() => shellSplit(s)).toThrow(want)
      : expect(shellSplit(s)).toEqual(want),
  );

  it.each<[number | boolean | string, string]>([
    [Number.NaN, 'NaN'],
    [Number.POSITIVE_INFINITY, '+Inf'],
    [Number.NEGATIVE_INFINITY, '-Inf'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-0.00002, '-2e-05'],
    [123456.5, '123456.5'],
    [1234567.5, '1.2345675e+06'],
    [1.5e120, '1.5e+120'],
    [3, '3'],
    [true, 'true'],
    ['x', 'x'],
  ])('goScalarString %s -> %s', (v, want) => expect(goScalarString(v)).toBe(want));
});
