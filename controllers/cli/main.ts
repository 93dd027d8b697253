import type { ExitBox } from './exit-box.js';
import { VERSION } from './version.js';

export { VERSION } from './version.js';
export type { ExitBox } from './exit-box.js';

/**
 * Runs the CLI. `swarmkeeper --version` alone answers without loading commander (the start-up of
 * the quickest command is node's own); everything else parses with the program of program.ts.
 */
export async function main(argv: string[]): Promise<number> {
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const [{ CommanderError }, { asSwarmkeeperError }, { buildProgram }] = await Promise.all([
    import('commander'),
    import('../../reconciler/errors.js'),
    import('./program.js'),
  ]);
  const exit: ExitBox = { code: 0 };
  // run's help names every kind (the kind registry and its schemas): loaded only when run is named,
  // so that --help and the other commands start without it
  const runHelp = args.includes('run') ? (await import('./run-help.js')).runHelp() : '';
  const program = buildProgram(exit, runHelp);
  try {
    await program.parseAsync(argv);
    return exit.code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    const err = asSwarmkeeperError(e);
    process.stderr.write(`error: ${err.message} (${err.code})\n`);
    return 1;
  }
}
