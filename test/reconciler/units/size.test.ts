import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  parseByteRate,
  parseByteSize,
  parseSizeOption,
} from '../../../reconciler/units/size.js';

describe('byte sizes: one binary rule (go-units RAMInBytes)', () => {
  it.each([
    ['512M', 536870912],
    ['1g', 1073741824],
    ['100k', 102400],
    ['1.5GiB', 1610612736],
    ['64mb', 67108864],
    ['64MB', 67108864],
    ['64MiB', 67108864],
    ['1024', 1024],
    [2048, 2048],
    ['12q', undefined],
    [-1, undefined],
    [1.5, undefined],
  ])('byte size %s', (s, b) => expect(parseByteSize(s)).toBe(b));

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

  it.each([
    ['4194304', 4194304],
    ['512k', 512 * 1024],
    ['8MiB', 8 * 1024 ** 2],
    ['1g', 1024 ** 3],
    ['0', undefined],
    ['lots', undefined],
    ['99999999999999p', undefined],
  ])('size option %s', (text, bytes) => expect(parseSizeOption(text)).toBe(bytes));

  it.each([
    ['20MB', 20 * 1024 ** 2],
    ['20M/s', 20 * 1024 ** 2],
    ['512k', 512 * 1024],
    ['1.5Gi', 1.5 * 1024 ** 3],
    ['1000000', 1_000_000],
  ])('rate %s = %i bytes/s', (text, n) => expect(parseByteRate(text, 'X')).toBe(n));

  it('a bad rate names the setting and the value', () => {
    expect(() => parseByteRate('fast', 'SWARMKEEPER_MIGRATION_BANDWIDTH')).toThrow(
      'SWARMKEEPER_MIGRATION_BANDWIDTH=fast: expected bytes per second, e.g. 20MB or 512k',
    );
    expect(() => parseByteRate('0', 'X')).toThrow('X=0: must be more than 0');
  });

  it.each([
    [0, '0 bytes'],
    [1023, '1023 bytes'],
    [1024, '1 KiB'],
    [512 * 1024, '512 KiB'],
    [4 * 1024 ** 2, '4 MiB'],
    [12.5 * 1024 ** 2, '12.5 MiB'],
    [64 * 1024 ** 2, '64 MiB'],
    [3 * 1024 ** 5, '3072 TiB'],
    [1024 ** 2 - 1, '1 MiB'],
  ])('shows %i as %s', (n, text) => expect(formatBytes(n)).toBe(text));

  it('never shows more than 4 digits before the point below the largest unit, and at most one decimal', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 49 }), (n) => {
        const [num] = formatBytes(n).split(' ');
        expect(Number(num)).toBeLessThan(1024);
        expect(num).toMatch(/^\d+(\.\d)?$/);
      }),
    );
  });

  it('what is shown reads back within a twentieth (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), (n) => {
        const back = parseByteSize(formatBytes(n).replace(/ (bytes)?/, ''))!;
        expect(Math.abs(back - n)).toBeLessThanOrEqual(n / 20);
      }),
    );
  });
});
