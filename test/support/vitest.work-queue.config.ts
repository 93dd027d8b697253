import { defineConfig } from 'vitest/config';

// Temporary: runs test/integration/work-queue.test.ts without the integration project's globalSetup.
export default defineConfig({
  test: {
    include: ['test/integration/work-queue.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
