import { defineConfig } from 'vitest/config';

// The unit project alone, for StrykerJS (`npm run test:mutation`): mutants are judged by unit tests only.
// Properties run at most 25 times each (test/support/property-runs.ts): every mutant they cover reruns them.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/integration/**', 'node_modules/**'],
    env: { SK_MUTATION: '1' },
    setupFiles: ['test/support/mutation-setup.ts'],
  },
});
