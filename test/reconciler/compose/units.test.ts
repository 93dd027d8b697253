import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseByteSize, parseCPUs, parseDuration, shellSplit } from '../../../reconciler/compose/units.js';
import { goScalarString, goTimestamp } from '../../../reconciler/compose/units.js';

describe('compose units', () => {
  it.each([
    ['10s', 10e9],
    ['1m30s', 90e9],
    ['500ms', 500e6],
    ['1h', 3600e9],
    ['1.5s', 1.5e9],
    ['2us', 2000],
    ['0', 0],
    ['10', undefined],
    ['1x', undefined],
    ['', undefined],
  ])('duration %s', (s, ns) => expect(parseDuration(s)).toBe(ns));

  it.each([
    ['512M', 536870912],
    ['1g', 1073741824],
    ['100k', 102400],
    ['1.5GiB', 1610612736],
    ['64mb', 67108864],
    ['1024', 1024],
    [2048, 2048],
    ['12q', undefined],
    [-1, undefined],
  ])('byte size %s', (s, b) => expect(parseByteSize(s)).toBe(b));

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

  it('durations add up (property)', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(59), (m, s) => parseDuration(`${m}m${s}s`) === m * 60e9 + s * 1e9),
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
  ])('%s -> %s', (text, want) => {
    expect(goTimestamp(text)).toBe(want);
  });
});

describe('compose units: the edges of each syntax', () => {
  it.each<[string, number | undefined]>([
    ['-1s', -1e9],
    ['+1s', 1e9],
    ['1µs', 1000],
    ['1μs', 1000],
    ['.5s', 5e8],
    ['1.s', 1e9],
    ['-.5m', -30e9],
    ['1h1m1s1ms1us1ns', 3661001001001],
    [' 10s ', 10e9],
    ['0s', 0],
    // Go's time.ParseDuration reads the sign first: -0 and +0 are zero
    ['-0', 0],
    ['+0', 0],
    ['.s', undefined],
    ['1.5', undefined],
    ['s', undefined],
    ['1s ago', undefined],
  ])('duration %j', (s, ns) => expect(parseDuration(s)).toBe(ns));

  it.each<[string | number, number | undefined]>([
    ['1 k', 1024],
    ['1KiB', 1024],
    ['1ki', 1024],
    ['1Kb', 1024],
    ['2B', 2],
    ['1t', 1024 ** 4],
    ['1p', 1024 ** 5],
    ['1.2.3', undefined],
    ['1kk', undefined],
    [1.5, undefined],
    ['-1', undefined],
    ['', undefined],
  ])('byte size %j', (s, b) => expect(parseByteSize(s)).toBe(b));

  it.each<[string | number, number | undefined]>([
    ['1.', 1e9],
    ['0', 0],
    [' 2 ', 2e9],
    [0.5, 5e8],
    ['99999999999', undefined],
    ['1e3', undefined],
  ])('cpus %j', (s, n) => expect(parseCPUs(s)).toBe(n));

  it.each<[string, string[] | string]>([
    ['a\tb\nc\rd', ['a', 'b', 'c', 'd']],
    ['"a\\$b\\`c\\\\d\\e"', ['a$b`c\\d\\e']],
    ["a'b'c", ['abc']],
    ['a""b', ['ab']],
    ["'unterminated", 'unterminated single quote'],
    ['"x', 'unterminated double quote'],
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
