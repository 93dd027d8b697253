/**
 * `npm run test:mutation [-- <scope>...] [-- <stryker options>]`: StrykerJS (stryker.config.mjs, incremental)
 * on the pure core and the queue, one run per scope (test/mutation/scopes.ts), then the mutation score per
 * folder from every scope's incremental file. Not part of `npm test`; the README's quality table carries its
 * latest figures.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { formatScores, mergeReports, scoresByFolder, type MutationReport } from './scores.js';
import { SCOPES, incrementalFile, pickScopes } from './scopes.js';

const HELP = `usage: npm run test:mutation -- [scope...] [--stryker-option value...]
       npm run test:mutation -- --scores
  scopes: ${SCOPES.map((s) => s.name).join(', ')} (all when none is named)
  Stryker options (e.g. --concurrency 2) are passed through to every run.
  --scores prints the score per folder from the committed incremental files, running nothing.`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(HELP);
  process.exit(0);
}
const scoresOnly = args.includes('--scores');
const firstOption = args.findIndex((a) => a.startsWith('-'));
const names = firstOption === -1 ? args : args.slice(0, firstOption);
const passThrough = firstOption === -1 ? [] : args.slice(firstOption);
const { scopes, unknown } = pickScopes(names);
if (unknown.length > 0) {
  console.error(`test:mutation: unknown scope ${unknown.join(', ')}\n${HELP}`);
  process.exit(2);
}
for (const scope of scoresOnly ? [] : scopes) {
  console.log(`== test:mutation: ${scope.name} (${scope.mutate.join(', ')})`);
  const r = spawnSync(
    'npx',
    [
      'stryker',
      'run',
      '--mutate',
      scope.mutate.join(','),
      '--incrementalFile',
      incrementalFile(scope),
      ...passThrough,
    ],
    { stdio: 'inherit' },
  );
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const reports = SCOPES.map(incrementalFile)
  .filter((f) => existsSync(f))
  .map((f) => JSON.parse(readFileSync(f, 'utf8')) as MutationReport);
console.log(formatScores(scoresByFolder(mergeReports(reports))));
