import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  stepTimeoutMs,
  StepError,
  toStepFailure,
  withPolicy,
} from '../../machines/step-policy.js';

describe('step policy', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [10, 30000],
  ])('backoff after attempt %i is %i ms', (attempt, ms) => {
    expect(backoffMs(withPolicy(), attempt)).toBe(ms);
  });

  it('backoff grows monotonically and never exceeds the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 5000 }), (n, base) => {
        const p = withPolicy({ baseBackoffMs: base, maxBackoffMs: 20_000 });
        expect(backoffMs(p, n + 1)).toBeGreaterThanOrEqual(backoffMs(p, n));
        expect(backoffMs(p, n)).toBeLessThanOrEqual(20_000);
      }),
    );
  });

  it('per-step timeouts fall back to the default', () => {
    const p = withPolicy({ timeoutMs: { default: 5, pull: 7 } });
    expect([stepTimeoutMs(p, 'pull'), stepTimeoutMs(p, 'enable'), stepTimeoutMs(p, 'inspect')]).toEqual([
      7, 60000, 5,
    ]);
  });

  it.each([
    [new StepError('x', { retryable: false }), { message: 'x', retryable: false }],
    [new Error('y'), { message: 'y', retryable: true }],
    ['z', { message: 'z', retryable: true }],
  ])('failure of %s', (e, f) => {
    expect(toStepFailure(e)).toEqual(f);
  });
});

describe('StepError', () => {
  it('is retryable unless told otherwise, named, and keeps a cause only when given one', () => {
    const plain = new StepError('x');
    expect([plain.retryable, plain.name, plain.message, 'cause' in plain]).toEqual([
      true,
      'StepError',
      'x',
      false,
    ]);
    const cause = new Error('inner');
    const wrapped = new StepError('y', { retryable: false, cause });
    expect([wrapped.retryable, wrapped.cause]).toEqual([false, cause]);
    expect(new StepError('z', { retryable: true }).retryable).toBe(true);
  });
});
