import { minimatch } from 'minimatch';
/**
 * The scopes `npm run test:mutation` runs, one Stryker run each, with an incremental file of its own
 * (test/mutation/incremental/<name>.json, a mutation-testing-report-schema report). A scope finished
 * is kept even if a later one is stopped, and the scores are read from all the files together.
 */
export interface MutationScope {
  name: string;
  mutate: string[];
}

// Globs without commas or braces: test/mutation/run.ts hands them to Stryker's --mutate joined by commas.
const COMPOSE_SWARM = ['to-swarm*', 'ports', 'volumes', 'units', 'image-ref'].map(
  (f) => `reconciler/compose/${f}.ts`,
);

export const SCOPES: readonly MutationScope[] = [
  { name: 'queue', mutate: ['controllers/runtime/queue/**/*.ts'] },
  { name: 'machines', mutate: ['machines/**/*.ts'] },
  { name: 'plan', mutate: ['reconciler/plan/**/*.ts'] },
  // compose in two runs, so a finished half is kept: the translation to ServiceSpecs, and the loading
  { name: 'compose-swarm', mutate: COMPOSE_SWARM },
  { name: 'compose-load', mutate: ['reconciler/compose/**/*.ts', ...COMPOSE_SWARM.map((g) => `!${g}`)] },
  { name: 'source', mutate: ['reconciler/source/**/*.ts'] },
  { name: 'validate', mutate: ['reconciler/validate/**/*.ts'] },
  // the rest of reconciler/ in two runs too: the resource kinds' schemas, and the desired state, model and status
  { name: 'api', mutate: ['reconciler/api/**/*.ts'] },
  {
    name: 'core',
    mutate: [
      'reconciler/*.ts',
      ...['desired', 'model', 'policy', 'status', 'units'].map((d) => `reconciler/${d}/**/*.ts`),
    ],
  },
  // the kind reconcilers (controllers/<kind>/), judged by their unit tests, which run them on fakes of
  // the Engine; the lab tests that also reach them do not count here
  { name: 'kind-stack', mutate: ['controllers/stack/**/*.ts'] },
  { name: 'kind-node', mutate: ['controllers/node/**/*.ts'] },
  { name: 'kind-plugin', mutate: ['controllers/plugin/**/*.ts'] },
  {
    name: 'kind-volume',
    mutate: ['volume', 'volume-migration', 'network'].map((k) => `controllers/${k}/**/*.ts`),
  },
];

export const incrementalFile = (scope: MutationScope): string =>
  `test/mutation/incremental/${scope.name}.json`;

/** Whether a scope mutates a file: one of its globs matches and none of its `!` globs does. */
export function scopeMutates(scope: MutationScope, file: string): boolean {
  const match = (g: string) => minimatch(file, g);
  const negated = scope.mutate.filter((g) => g.startsWith('!')).map((g) => g.slice(1));
  return scope.mutate.some((g) => !g.startsWith('!') && match(g)) && !negated.some(match);
}

/** The scopes named on the command line (all when none), or the names that are not scopes. */
export function pickScopes(names: string[]): { scopes: MutationScope[]; unknown: string[] } {
  if (names.length === 0) return { scopes: [...SCOPES], unknown: [] };
  const unknown = names.filter((n) => !SCOPES.some((s) => s.name === n));
  return { scopes: SCOPES.filter((s) => names.includes(s.name)), unknown };
}
