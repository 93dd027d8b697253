// StrykerJS for `npm run test:mutation` (test/mutation/run.ts): the pure core and the queue, judged by the
// unit tests. Incremental: only mutants in changed code, or reached by changed tests, run again.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  coverageAnalysis: 'perTest',
  // No TypeScript checker: on 2 CPUs its start-up alone took minutes and each mutant several seconds.
  // A mutant that would not compile then counts as killed or survived by the tests, never excluded,
  // so scores are if anything lower than with the checker.
  checkers: [],
  mutate: ['reconciler/**/*.ts', 'machines/**/*.ts', 'controllers/runtime/queue/**/*.ts'],
  ignoreStatic: true,
  incremental: true,
  incrementalFile: 'test/mutation/incremental/all.json', // test/mutation/run.ts gives each scope its own
  reporters: ['progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null },
};
