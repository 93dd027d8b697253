import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goDurationOverflows } from '../../../reconciler/validate/go-duration.js';

describe('goDurationOverflows (Go time.Duration is int64 nanoseconds)', () => {
  it.each([
    ['10s', false],
    ['2562047h', false],
    ['2562047h47m16.854775807s', false],
    ['2562047h47m16.854775808s', true],
    ['2562048h', true],
    ['9223372036854775807ns', false],
    ['9223372036854775808ns', true],
    ['-9223372036854775808ns', false],
    ['-9223372036854775809ns', true],
    ['153722867m', false],
    ['153722868m', true],
    ['1.5h', false],
  ])('%s -> %s', (text, overflows) => expect(goDurationOverflows(text)).toBe(overflows));

  it('never overflows below 2^53 nanoseconds (property)', () => {
    fc.assert(fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (n) => !goDurationOverflows(`${n}ns`)));
  });
});
