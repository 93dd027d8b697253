import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../../controllers/runtime/queue/backoff.js';

describe('backoffDelay', () => {
  it.each([
    [1, 5],
    [2, 10],
    [3, 20],
    [10, 2560],
    [18, 655_360],
    [19, 1_000_000],
    [20, 1_000_000],
    [5000, 1_000_000],
    [0, 5],
    [-3, 5],
    [Number.NaN, 5],
  ])('controller-runtime defaults: failure %d -> %d ms', (failures, expected) => {
    expect(backoffDelay(failures)).toBe(expected);
  });

  it.each([
    [{ baseMs: 100, maxMs: 1000 }, 1, 100],
    [{ baseMs: 100, maxMs: 1000 }, 4, 800],
    [{ baseMs: 100, maxMs: 1000 }, 5, 1000],
    [{ baseMs: 2000, maxMs: 1000 }, 1, 1000],
  ])('%o: failure %d -> %d ms', (opts, failures, expected) => {
    expect(backoffDelay(failures, opts)).toBe(expected);
  });

  it('is monotonic and capped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2000 }), (n) => {
        const d = backoffDelay(n);
        expect(d).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxMs);
        expect(backoffDelay(n + 1)).toBeGreaterThanOrEqual(d);
      }),
    );
  });
});
