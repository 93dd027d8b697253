/**
 * Runs integration test files against the already-running dev swarm, without the integration
 * project's globalSetup:  npx vitest run --config test/support/vitest.dev.config.ts test/integration/<file>
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/integration/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
