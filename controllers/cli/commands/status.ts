import type { Command } from 'commander';
import type { ExitBox } from '../exit-box.js';
import type { StatusOpts } from '../actions/status.js';

export function registerStatus(program: Command, exit: ExitBox): void {
  program
    .command('status')
    .description('Show the resources this instance manages, with sync state (given -f) and health.')
    .option('-f, --file <path>', 'compare against these files to show the sync state')
    .option('-o, --output <format>', 'table or json', 'table')
    .option(
      '--redis-url <url>',
      "also show the running controller's Ready condition and applied revision (redis://… or redis+sentinel://…, as for run)",
    )
    .action(async (opts: StatusOpts, cmd: Command) => {
      const { status } = await import('../actions/status.js');
      await status(opts, cmd, exit);
    });
}
