import type { Command } from 'commander';
import type { ExitBox } from '../exit-box.js';
import { LIMITS_HELP, POLICY_HELP, RESOLVE_IMAGE_HELP } from '../options.js';
import type { ApplyOpts } from '../actions/apply.js';

export function registerApply(program: Command, exit: ExitBox): void {
  program
    .command('apply')
    .description('Make the Swarm match the given files. Exit code 0 on success, 1 on any error.')
    .requiredOption('-f, --file <path>', 'a compose file, a CR-shaped YAML file, or a directory of them')
    .option('--limits <spec>', LIMITS_HELP)
    .option('--policy <file>', POLICY_HELP)
    .option('--resolve-image <mode>', RESOLVE_IMAGE_HELP)
    .option(
      '--prune',
      'remove owned objects that are no longer desired (for a directory: also stacks removed from it)',
    )
    .option('--adopt', 'take ownership of objects created by docker stack deploy (restarts no task)')
    .option('--allow-empty', 'with --prune, allow an empty directory to remove every owned stack')
    .option('--wait', 'wait until every service has converged; fail if one is paused or rolled back')
    .option('--timeout <duration>', 'how long --wait waits', '5m')
    .option('--concurrency <n>', 'parallel Docker API calls per phase', '8')
    .action(async (opts: ApplyOpts, cmd: Command) => {
      const { apply } = await import('../actions/apply.js');
      await apply(opts, cmd, exit);
    });
}
