import type { Command } from 'commander';
import type { ExitBox } from '../exit-box.js';
import { LIMITS_HELP, POLICY_HELP, RESOLVE_IMAGE_HELP } from '../options.js';
import type { PlanOpts } from '../actions/plan.js';

export function registerPlan(program: Command, exit: ExitBox): void {
  program
    .command('plan')
    .description('Show what apply would change. Exit code: 0 no changes, 2 changes pending, 1 error.')
    .requiredOption('-f, --file <path>', 'a compose file, a CR-shaped YAML file, or a directory of them')
    .option('--limits <spec>', LIMITS_HELP)
    .option('--policy <file>', POLICY_HELP)
    .option('--resolve-image <mode>', RESOLVE_IMAGE_HELP)
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--prune', 'include removal of owned objects that are no longer desired')
    .option('--adopt', 'take ownership of objects created by docker stack deploy')
    .action(async (opts: PlanOpts, cmd: Command) => {
      const { plan } = await import('../actions/plan.js');
      await plan(opts, cmd, exit);
    });
}
