/**
 * `npm run test:mutation [-- <stryker options>]`: StrykerJS (stryker.config.mjs, incremental) on the pure core
 * and the queue, then the mutation score per folder. Not part of `npm test`; the README's quality table carries
 * its latest figures.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { scoresByFolder, formatScores, type MutationReport } from './scores.js';

const REPORT = 'reports/mutation/mutation.json';
const r = spawnSync('npx', ['stryker', 'run', ...process.argv.slice(2)], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);
if (!existsSync(REPORT)) {
  console.error(`test:mutation: ${REPORT} was not written`);
  process.exit(1);
}
const report = JSON.parse(readFileSync(REPORT, 'utf8')) as MutationReport;
console.log(formatScores(scoresByFolder(report)));
