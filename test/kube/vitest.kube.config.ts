/**
 * Runs the kube harness test alone, without the integration project's globalSetup (no Swarm lab):
 *   npx vitest run --config test/kube/vitest.kube.config.ts
 * The first run may build kube-apiserver and kubectl (~10+ min on 2 cores); later runs use the cache.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/integration/kube-harness.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 45 * 60_000,
    fileParallelism: false,
  },
});
