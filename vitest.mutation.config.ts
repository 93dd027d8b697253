import { defineConfig } from 'vitest/config';

// The unit project alone, for StrykerJS (`npm run test:mutation`): mutants are judged by unit tests only.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/integration/**', 'node_modules/**'],
  },
});
