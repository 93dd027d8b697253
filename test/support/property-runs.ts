/**
 * fast-check runs for a property: as written, or at most MUTATION_RUNS under mutation testing
 * (vitest.mutation.config.ts sets SK_MUTATION), where every mutant a property covers reruns it. Fewer runs
 * there can only let a mutant survive that more runs would kill, so scores stay lower bounds.
 */
export const MUTATION_RUNS = 25;

export function propertyRuns(n: number): { numRuns: number } {
  return { numRuns: process.env['SK_MUTATION'] === '1' ? Math.min(n, MUTATION_RUNS) : n };
}
