// Setup of the mutation-testing vitest run (vitest.mutation.config.ts): properties without an explicit
// numRuns take the same cap as propertyRuns() (test/support/property-runs.ts).
import fc from 'fast-check';
import { MUTATION_RUNS } from './property-runs.js';

fc.configureGlobal({ numRuns: MUTATION_RUNS });
