import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, jitter } from '../../../reconciler/units/backoff.js';

describe('exponential backoff', () => {
  const opts = { baseMs: 5, maxMs: 1000 };
  it.each([
    [1, 5],
    [2, 10],
    [3, 20],
    [8, 640],
    [9, 1000],
    [5000, 1000],
    [0, 5],
    [-3, 5],
    [Number.NaN, 5],
    [2.7, 10],
  ])('attempt %d waits %d ms', (attempt, ms) => expect(backoffDelay(attempt, opts)).toBe(ms));

  it('never shrinks and never passes the cap (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.nat(100), fc.nat(100_000), (a, base, extra) => {
        const o = { baseMs: base, maxMs: base + extra };
        expect(backoffDelay(a + 1, o)).toBeGreaterThanOrEqual(backoffDelay(a, o));
        expect(backoffDelay(a, o)).toBeLessThanOrEqual(o.maxMs);
      }),
    );
  });

  it('jitter spreads around the delay, within the spread', () => {
    expect(jitter(1000, 0.2, () => 0)).toBe(800);
    expect(jitter(1000, 0.2, () => 0.5)).toBe(1000);
    expect(jitter(1000, 0.5, () => 0.999)).toBeCloseTo(1499, 0);
  });
});
