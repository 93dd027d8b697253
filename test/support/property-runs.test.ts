import { afterEach, describe, expect, it, vi } from 'vitest';
import { MUTATION_RUNS, propertyRuns } from './property-runs.js';

afterEach(() => vi.unstubAllEnvs());

describe('propertyRuns', () => {
  it('keeps the runs as written in the normal test run', () => {
    vi.stubEnv('SK_MUTATION', '');
    expect(propertyRuns(300)).toEqual({ numRuns: 300 });
  });
  it.each([
    [300, MUTATION_RUNS],
    [10, 10],
  ])('caps %d runs at %d under mutation testing', (n, want) => {
    vi.stubEnv('SK_MUTATION', '1');
    expect(propertyRuns(n)).toEqual({ numRuns: want });
  });
});
